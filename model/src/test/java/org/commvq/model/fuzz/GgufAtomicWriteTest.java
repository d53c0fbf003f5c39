package org.commvq.model.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.commvq.model.gguf.FloatSource;
import org.commvq.model.gguf.GgmlType;
import org.commvq.model.gguf.GgufWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A GGUF write whose data source fails after some chunks have gone to disk (a long conversion that dies) leaves no
 * partial file: no target where there was none, the old target byte for byte where there was one, no temporary file.
 */
class GgufAtomicWriteTest {
    /** Three of the writer's 65536-value chunks; the source fails in the third. */
    private static final long VALUES = 3 << 16;

    @TempDir
    Path dir;

    @Test
    void noTargetAppearsWhenTheSourceFails() throws IOException {
        Path target = dir.resolve("model.gguf");
        assertThrows(IllegalStateException.class, () -> failingWriter().write(target));
        assertFalse(Files.exists(target));
        assertEquals(List.of(), entries());
    }

    @Test
    void anExistingTargetIsUntouched() throws IOException {
        Path target = dir.resolve("model.gguf");
        byte[] old = "an earlier, complete model".getBytes(StandardCharsets.UTF_8);
        Files.write(target, old);
        assertThrows(IllegalStateException.class, () -> failingWriter().write(target));
        assertArrayEquals(old, Files.readAllBytes(target));
        assertEquals(List.of(target), entries());
    }

    private static GgufWriter failingWriter() {
        FloatSource failing = (first, dst, count) -> {
            if (first >= 2 << 16) {
                throw new IllegalStateException("source failed at value " + first);
            }
            Arrays.fill(dst, 0, count, 0.5f);
        };
        return new GgufWriter().putString("general.architecture", "llama")
                .addTensor("a", GgmlType.F32, new long[] {1 << 16, VALUES >> 16}, failing);
    }

    private List<Path> entries() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
