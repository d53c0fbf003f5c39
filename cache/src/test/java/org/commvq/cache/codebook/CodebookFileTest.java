package org.commvq.cache.codebook;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.commvq.cache.ModelShape;
import org.commvq.cache.RopeParameters;
import org.commvq.cache.io.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CodebookFileTest {
    private static final String VOCAB = "a1b2c3d4e5f60718";
    private static final RopeParameters LLAMA3 = RopeParameters.llama3(500000, 8, 1, 4, 8192);

    @TempDir
    Path dir;

    private static ModelShape shape(int layers, int heads, int kvHeads, int headDim, RopeParameters rope) {
        return new ModelShape(layers, heads * headDim, heads, kvHeads, headDim, 4096, 128256, 131072, 1e-5f, rope);
    }

    private static final ModelShape LLAMA = shape(32, 32, 8, 128, LLAMA3);

    private static CodebookHeader header(ModelShape shape) {
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("data", "fineweb-edu sample-10BT");
        provenance.put("tokens", 1048576);
        provenance.put("seed", 7);
        provenance.put("date", "2025-06-01");
        provenance.put("tool", "commvq-java 0.1.0");
        provenance.put("layers_done", List.of(0, 1, 2));
        return new CodebookHeader("vqkv", 704, Map.of("keys", 56, "values", 16), ModelFingerprint.of(shape, VOCAB),
                provenance);
    }

    private Path written(CodebookHeader header) {
        Path file = dir.resolve("codebook.safetensors");
        Map<String, CodebookTensor> tensors = new LinkedHashMap<>();
        tensors.put("layers.0.keys.stages.0", new CodebookTensor(new float[] {1, 2, 3, 4, 5, 6}, new long[] {3, 2}));
        tensors.put("scalar", new CodebookTensor(new float[] {-0.5f}, new long[] {1}));
        CodebookFile.write(file, header, tensors);
        return file;
    }

    @Test
    void roundTripKeepsHeaderAndTensors() throws IOException {
        CodebookHeader header = header(LLAMA);
        Path file = written(header);
        CodebookFile read = CodebookFile.read(file);
        assertEquals(header, read.header().withSource(null));
        assertEquals(file, read.header().source());
        assertEquals(file, read.path());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, read.tensor("layers.0.keys.stages.0").data());
        assertArrayEquals(new long[] {3, 2}, read.tensor("layers.0.keys.stages.0").shape());
        assertEquals(new CodebookTensor(new float[] {-0.5f}, new long[] {1}), read.tensor("scalar"));
        assertThrows(IllegalArgumentException.class, () -> new CodebookTensor(new float[] {1}, new long[] {}));
        assertEquals(56, read.header().stages("keys"));
        assertDoesNotThrow(() -> read.header().checkMatches(LLAMA, VOCAB.toUpperCase()));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void rewritingReplacesTheFileWhole() {
        Path file = written(header(LLAMA));
        CodebookFile.write(file, header(shape(2, 4, 2, 64, LLAMA3)), Map.of("x", new CodebookTensor(new float[] {9},
                new long[] {1})));
        CodebookFile read = CodebookFile.read(file);
        assertEquals(2, read.header().model().layers());
        assertEquals(List.of("x"), List.copyOf(read.tensors().keySet()));
    }

    @Test
    void refusesAnotherModelNamingTheFileAndTheFirstMismatch() {
        CodebookHeader header = CodebookFile.read(written(header(LLAMA))).header();
        String file = dir.resolve("codebook.safetensors") + ": ";
        assertMismatch(header, shape(16, 32, 8, 128, LLAMA3), VOCAB, file + "made for layers 32, this model has layers 16");
        assertMismatch(header, shape(32, 16, 8, 128, LLAMA3), VOCAB, file + "made for heads 32, this model has heads 16");
        assertMismatch(header, shape(32, 32, 4, 128, LLAMA3), VOCAB,
                file + "made for kv_heads 8, this model has kv_heads 4");
        assertMismatch(header, shape(32, 32, 8, 64, LLAMA3), VOCAB,
                file + "made for head_dim 128, this model has head_dim 64");
        assertMismatch(header, shape(32, 32, 8, 128, RopeParameters.llama3(10000, 8, 1, 4, 8192)), VOCAB,
                file + "made for rope_theta 500000, this model has rope_theta 10000");
        assertMismatch(header, shape(32, 32, 8, 128, RopeParameters.plain(500000)), VOCAB,
                file + "made for rope_factor 8, this model has rope_factor 1");
        assertMismatch(header, shape(32, 32, 8, 128, RopeParameters.llama3(500000, 8, 2, 4, 8192)), VOCAB,
                file + "made for rope_low_freq_factor 1, this model has rope_low_freq_factor 2");
        assertMismatch(header, shape(32, 32, 8, 128, RopeParameters.llama3(500000, 8, 1, 5, 8192)), VOCAB,
                file + "made for rope_high_freq_factor 4, this model has rope_high_freq_factor 5");
        assertMismatch(header, shape(32, 32, 8, 128, RopeParameters.llama3(500000, 8, 1, 4, 4096)), VOCAB,
                file + "made for rope_original_context 8192, this model has rope_original_context 4096");
        assertMismatch(header, LLAMA, "ffff",
                file + "made for vocab_hash a1b2c3d4e5f60718, this model has vocab_hash ffff");
        assertMismatch(header, shape(1, 1, 1, 2, LLAMA3), VOCAB, file + "made for layers 32, this model has layers 1");
    }

    private static void assertMismatch(CodebookHeader header, ModelShape shape, String vocab, String message) {
        CodebookException e = assertThrows(CodebookException.class, () -> header.checkMatches(shape, vocab));
        assertEquals(message, e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void withoutRopeScalingTheScalingFieldsDoNotCount() {
        CodebookHeader header = header(shape(2, 4, 2, 64, RopeParameters.plain(10000)));
        ModelShape other = shape(2, 4, 2, 64, new RopeParameters(10000, 1, 3, 7, 2048));
        assertDoesNotThrow(() -> header.checkMatches(other, VOCAB));
    }

    @Test
    void refusesAnotherMethod() {
        CodebookHeader header = CodebookFile.read(written(header(LLAMA))).header();
        CodebookException e = assertThrows(CodebookException.class, () -> header.requireMethod("commvq"));
        assertEquals(dir.resolve("codebook.safetensors") + ": holds vqkv codebooks, expected commvq", e.getMessage());
        assertThrows(CodebookException.class, () -> header.stages("scales"));
    }

    @Test
    void refusesFilesThatAreNotCodebooks() throws IOException {
        Path plain = dir.resolve("model.safetensors");
        new SafetensorsWriter().f32("w", new float[] {1}, 1).write(plain);
        CodebookException e = assertThrows(CodebookException.class, () -> CodebookFile.read(plain));
        assertEquals(plain + ": not a codebook file (no 'commvq_codebook' in __metadata__)", e.getMessage());

        Path noHeaderFields = dir.resolve("bad.safetensors");
        new SafetensorsWriter().metadata(CodebookFile.METADATA_KEY, "{\"format\":1,\"method\":\"vqkv\"}")
                .f32("w", new float[] {1}, 1).write(noHeaderFields);
        e = assertThrows(CodebookException.class, () -> CodebookFile.read(noHeaderFields));
        assertTrue(e.getMessage().startsWith(noHeaderFields + ": codebook header field"), e.getMessage());

        Path future = dir.resolve("future.safetensors");
        new SafetensorsWriter().metadata(CodebookFile.METADATA_KEY, "{\"format\":2}").write(future);
        e = assertThrows(CodebookException.class, () -> CodebookFile.read(future));
        assertEquals(future + ": codebook format 2 is not the supported format 1", e.getMessage());

        Path garbage = dir.resolve("garbage.safetensors");
        Files.write(garbage, new byte[] {1, 2, 3});
        e = assertThrows(CodebookException.class, () -> CodebookFile.read(garbage));
        assertTrue(e.getMessage().startsWith(garbage + ": "), e.getMessage());

        CodebookException missing = assertThrows(CodebookException.class,
                () -> CodebookFile.read(written(header(LLAMA))).tensor("layers.9.keys.stages.0"));
        assertTrue(missing.getMessage().endsWith("no tensor 'layers.9.keys.stages.0'"));
    }

    @Test
    void vocabularyHashMustBeHex() {
        assertThrows(IllegalArgumentException.class, () -> ModelFingerprint.of(LLAMA, "not hex"));
        assertThrows(IllegalArgumentException.class, () -> ModelFingerprint.of(LLAMA, ""));
    }
}
