package org.commvq.cli.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Found while building the command-line fuzzing: a command that runs out of heap (synth with two billion layers
 * lists every layer's tensors before writing any) threw the OutOfMemoryError out of Main.run, because picocli hands
 * only Exceptions to the error handler; main then died with a stack trace. Now it is one "error: out of memory" line
 * and exit code 1. Run in a JVM of 48 MB so the heap runs out at once.
 */
class MainOutOfMemoryTest {
    @TempDir
    Path dir;

    @Test
    void outOfMemoryIsOneLineAndExitCodeOne() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx48m",
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                "org.commvq.cli.Main", "synth", "--shape", "tiny-llama-29m", "--layers", "2000000000", "-o",
                dir.resolve("missing").resolve("x.gguf").toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "still running");
        List<String> lines = err.lines().filter(l -> !l.startsWith("WARNING: Using incubator")).toList();
        assertEquals(1, p.exitValue(), err);
        assertEquals(1, lines.size(), err);
        assertTrue(lines.get(0).startsWith("error: out of memory"), err);
    }
}
