package org.commvq.cache.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.commvq.cache.codebook.CodebookException;
import org.commvq.cache.codebook.CodebookFile;
import org.commvq.cache.codebook.CodebookHeader;
import org.commvq.cache.codebook.CodebookTensor;
import org.commvq.cache.codebook.ModelFingerprint;
import org.commvq.cache.io.SafetensorsWriter;
import org.commvq.cache.io.TensorFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A safetensors or codebook write that fails part way leaves no partial file: no target where there was none, the old
 * target byte for byte where there was one, and no temporary file beside it. The safetensors writer holds its data in
 * memory, so its late failure is the final rename (onto a folder that cannot be replaced); the codebook writer also
 * fails when its tensor source throws after the first tensors were taken.
 */
class AtomicWriteTest {
    private static final byte[] OLD = "an earlier, complete file".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    @Test
    void safetensorsRenameFailureLeavesNothing() throws IOException {
        Path target = occupiedByFolder("weights.safetensors");
        SafetensorsWriter writer = new SafetensorsWriter().f32("w", new float[1 << 16]);
        assertThrows(TensorFileException.class, () -> writer.write(target));
        assertEquals(List.of(target), entries());
        assertArrayEquals(OLD, Files.readAllBytes(target.resolve("keep")));
    }

    @Test
    void codebookSourceFailingMidwayLeavesNoTarget() throws IOException {
        Path target = dir.resolve("book.safetensors");
        assertThrows(IllegalStateException.class, () -> CodebookFile.write(target, header(), failingTensors()));
        assertFalse(Files.exists(target));
        assertEquals(List.of(), entries());
    }

    @Test
    void codebookSourceFailingMidwayKeepsTheOldTarget() throws IOException {
        Path target = Files.write(dir.resolve("book.safetensors"), OLD);
        assertThrows(IllegalStateException.class, () -> CodebookFile.write(target, header(), failingTensors()));
        assertArrayEquals(OLD, Files.readAllBytes(target));
        assertEquals(List.of(target), entries());
    }

    @Test
    void codebookRenameFailureLeavesNothing() throws IOException {
        Path target = occupiedByFolder("book.safetensors");
        assertThrows(CodebookException.class, () -> CodebookFile.write(target, header(),
                Map.of("t", new CodebookTensor(new float[4], new long[] {4}))));
        assertEquals(List.of(target), entries());
        assertArrayEquals(OLD, Files.readAllBytes(target.resolve("keep")));
    }

    /** A target name taken by a non-empty folder: everything is written, then the rename onto it fails. */
    private Path occupiedByFolder(String name) throws IOException {
        Path target = Files.createDirectory(dir.resolve(name));
        Files.write(target.resolve("keep"), OLD);
        return target;
    }

    /** Two tensors, then the source fails, as a trainer that dies between layers would. */
    private static Map<String, CodebookTensor> failingTensors() {
        return new LinkedHashMap<>() {
            @Override
            public void forEach(BiConsumer<? super String, ? super CodebookTensor> action) {
                action.accept("layer0", new CodebookTensor(new float[8], new long[] {2, 4}));
                action.accept("layer1", new CodebookTensor(new float[8], new long[] {2, 4}));
                throw new IllegalStateException("training failed at layer 2");
            }
        };
    }

    private static CodebookHeader header() {
        return new CodebookHeader("commvq", 1, Map.of("keys", 2),
                new ModelFingerprint(2, 4, 2, 8, 500000, 8, 1, 4, 8192, "ab12"), Map.of());
    }

    private List<Path> entries() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
