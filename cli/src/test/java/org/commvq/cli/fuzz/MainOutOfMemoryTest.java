package org.commvq.cli.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.commvq.cache.KvCacheFactory;
import org.commvq.cache.ModelShape;
import org.commvq.cache.RopeParameters;
import org.commvq.model.gguf.GgmlType;
import org.commvq.model.synth.SyntheticModelWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Found while building the command-line fuzzing: a command that runs out of heap threw the OutOfMemoryError out of
 * Main.run, because picocli hands only Exceptions to the error handler; main then died with a stack trace. Now it is
 * one "error: out of memory" line and exit code 1. The command is generate with an fp32 KV cache of 98% of the heap:
 * it passes the up-front check against the maximum heap, which G1 reports as exactly -Xmx, but its two arrays cannot
 * be allocated beside anything else.
 */
class MainOutOfMemoryTest {
    private static final long HEAP_BYTES = 48L << 20;

    @TempDir
    Path dir;

    @Test
    void outOfMemoryIsOneLineAndExitCodeOne() throws IOException, InterruptedException {
        ModelShape shape = new ModelShape(1, 32, 2, 1, 16, 64, 512, 64, 1e-5f, RopeParameters.plain(10000));
        Path model = dir.resolve("tiny.gguf");
        SyntheticModelWriter.write(shape, "tiny", GgmlType.F32, 1, model);
        long contextSize = (long) (0.98 * HEAP_BYTES / KvCacheFactory.bytesPerToken("fp32", shape));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + (HEAP_BYTES >> 20) + "m", "-XX:+UseG1GC", "--add-modules", "jdk.incubator.vector", "-cp",
                System.getProperty("java.class.path"), "org.commvq.cli.Main", "generate", "-m", model.toString(),
                "--kv-cache", "fp32", "--ctx-size", Long.toString(contextSize), "-n", "1")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "still running");
        List<String> lines = err.lines().filter(l -> !l.startsWith("WARNING: Using incubator")).toList();
        assertEquals(1, p.exitValue(), err);
        assertEquals(1, lines.size(), err);
        assertTrue(lines.get(0).startsWith("error: out of memory"), err);
    }
}
