package org.commvq.cli.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.commvq.cache.Workers;
import org.commvq.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Found by the command-line fuzzing, replayed from its corpus: two options had no upper bound. --threads above
 * ForkJoinPool's cap of 32767 ended in "error: IllegalArgumentException", the pool's constructor refusing it without a
 * message; synth --layers 2000000000 listed two billion layers of tensors and ran the heap out. Both are now refused
 * in one line naming the limit.
 */
class OptionLimitsTest {
    @TempDir
    Path dir;

    @Test
    void threadsAboveTheForkJoinCapAreOneLineError() {
        int threads = Workers.threads();
        assertEquals("error: --threads must be between 1 and 32767, got 214040775",
                errorOf("generate", "--threads", "214040775", "-m", dir.resolve("missing.gguf").toString()));
        assertEquals(threads, Workers.threads());
    }

    @Test
    void layersWithoutBoundAreOneLineError() {
        assertEquals("error: --layers must be between 1 and 1024, got 2000000000",
                errorOf("synth", "--shape", "tiny-llama-29m", "--layers", "2000000000", "-o",
                        dir.resolve("missing").resolve("x.gguf").toString()));
    }

    /** The whole of stderr for a command line that must fail with exit code 1. */
    private static String errorOf(String... args) {
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(new StringWriter()), new PrintWriter(err, true));
        assertEquals(1, code, err.toString());
        return err.toString().strip();
    }
}
