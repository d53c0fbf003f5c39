package org.commvq.model.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.commvq.model.tensor.WeightMatrices;
import org.commvq.model.tensor.WeightMatrix;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared tiny-llama-29m model files open and list what their README says. */
class TinyLlamaGgufTest {
    private static final String[] BLOCK_TENSORS = {"attn_norm", "attn_q", "attn_k", "attn_v", "attn_output",
            "ffn_norm", "ffn_gate", "ffn_up", "ffn_down"};

    @TempDir
    Path dir;

    static Path model(String variant) {
        String shared = System.getProperty("commvq.shared");
        Path file = shared == null ? null : Path.of(shared, "models", "tiny-llama-29m",
                "tiny-llama-29m-" + variant + ".gguf");
        if (file == null || !Files.isRegularFile(file)) {
            String reason = "skipping: shared model " + (file == null ? "(commvq.shared is not set)" : file)
                    + " is absent";
            System.out.println(reason);
            Assumptions.abort(reason);
        }
        return file;
    }

    @Test
    void q8ModelListsTheExpectedMetadataAndTensors() {
        checkModel(model("q8_0"), GgmlType.Q8_0, 7);
    }

    @Test
    void f16ModelListsTheExpectedMetadataAndTensors() {
        checkModel(model("f16"), GgmlType.F16, 1);
    }

    private static void checkModel(Path file, GgmlType matrixType, int fileType) {
        try (GgufFile gguf = GgufFile.open(file)) {
            GgufMetadata m = gguf.metadata();
            assertEquals(3, gguf.version());
            assertEquals(32, gguf.alignment());
            assertEquals("llama", m.getString("general.architecture"));
            assertEquals(fileType, m.getInt("general.file_type"));
            assertEquals(4096, m.getInt("llama.vocab_size"));
            assertEquals(2048, m.getInt("llama.context_length"));
            assertEquals(512, m.getInt("llama.embedding_length"));
            assertEquals(8, m.getInt("llama.block_count"));
            assertEquals(1536, m.getInt("llama.feed_forward_length"));
            assertEquals(4, m.getInt("llama.attention.head_count"));
            assertEquals(2, m.getInt("llama.attention.head_count_kv"));
            assertEquals(128, m.getInt("llama.attention.key_length"));
            assertEquals(128, m.getInt("llama.rope.dimension_count"));
            assertEquals(500000f, m.getFloat("llama.rope.freq_base"));
            assertEquals(1e-5f, m.getFloat("llama.attention.layer_norm_rms_epsilon"));
            assertEquals("gpt2", m.getString("tokenizer.ggml.model"));
            assertEquals("llama-bpe", m.getString("tokenizer.ggml.pre"));
            List<String> tokens = m.getStringList("tokenizer.ggml.tokens");
            assertEquals(4096, tokens.size());
            assertEquals("<|begin_of_text|>", tokens.get(0));
            assertEquals("<|end_of_text|>", tokens.get(1));
            assertTrue(tokens.contains("Ġthe"));
            int[] tokenTypes = m.getIntArray("tokenizer.ggml.token_type");
            assertEquals(3, tokenTypes[0]);
            assertEquals(3, tokenTypes[1]);
            assertEquals(1, tokenTypes[2]);
            assertEquals(3838, m.getStringList("tokenizer.ggml.merges").size());
            assertEquals(0, m.getInt("tokenizer.ggml.bos_token_id"));
            assertEquals(1, m.getInt("tokenizer.ggml.eos_token_id"));
            assertTrue(m.getBoolean("tokenizer.ggml.add_bos_token"));
            assertEquals(false, m.getBoolean("tokenizer.ggml.add_eos_token"));

            assertEquals(2 + 8 * BLOCK_TENSORS.length + 1, gguf.tensors().size());
            checkTensor(gguf, "token_embd.weight", matrixType, 512, 4096);
            checkTensor(gguf, "output.weight", matrixType, 512, 4096);
            checkTensor(gguf, "output_norm.weight", GgmlType.F32, 512);
            for (int b = 0; b < 8; b++) {
                String p = "blk." + b + ".";
                checkTensor(gguf, p + "attn_norm.weight", GgmlType.F32, 512);
                checkTensor(gguf, p + "ffn_norm.weight", GgmlType.F32, 512);
                checkTensor(gguf, p + "attn_q.weight", matrixType, 512, 512);
                checkTensor(gguf, p + "attn_k.weight", matrixType, 512, 256);
                checkTensor(gguf, p + "attn_v.weight", matrixType, 512, 256);
                checkTensor(gguf, p + "attn_output.weight", matrixType, 512, 512);
                checkTensor(gguf, p + "ffn_gate.weight", matrixType, 512, 1536);
                checkTensor(gguf, p + "ffn_up.weight", matrixType, 512, 1536);
                checkTensor(gguf, p + "ffn_down.weight", matrixType, 1536, 512);
            }
            WeightMatrix embeddings = gguf.tensor("token_embd.weight").matrix();
            assertEquals(4096, embeddings.rows());
            assertEquals(512, embeddings.cols());
            float[] norm = gguf.tensor("output_norm.weight").toFloats();
            assertEquals(512, norm.length);
            assertTrue(norm[0] > 0.05 && norm[0] < 20, "a trained RMSNorm weight, got " + norm[0]);
        }
    }

    private static void checkTensor(GgufFile gguf, String name, GgmlType type, long... dims) {
        GgufTensor t = gguf.tensor(name);
        assertEquals(type, t.type(), name);
        assertArrayEquals(dims, t.dims(), name);
    }

    @Test
    void q8WeightsAreTheF16WeightsThroughOurQuantizer() {
        try (GgufFile f16 = GgufFile.open(model("f16")); GgufFile q8 = GgufFile.open(model("q8_0"))) {
            for (String name : List.of("blk.0.attn_q.weight", "blk.7.ffn_down.weight", "output.weight")) {
                GgufTensor source = f16.tensor(name);
                float[] values = source.toFloats();
                byte[] ours = new byte[(int) GgmlType.Q8_0.byteSize(values.length)];
                WeightMatrices.encode(GgmlType.Q8_0, values, 0, values.length, MemorySegment.ofArray(ours), 0);
                byte[] theirs = q8.tensor(name).data().toArray(ValueLayout.JAVA_BYTE);
                assertArrayEquals(theirs, ours, name + ": our Q8_0 quantizer differs from the reference");
            }
        }
    }

    @Test
    void f16AndQ8ProductsAgree() {
        try (GgufFile f16 = GgufFile.open(model("f16")); GgufFile q8 = GgufFile.open(model("q8_0"))) {
            WeightMatrix a = f16.tensor("blk.3.ffn_up.weight").matrix();
            WeightMatrix b = q8.tensor("blk.3.ffn_up.weight").matrix();
            float[] x = new float[a.cols()];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) Math.cos(i * 0.37);
            }
            float[] ya = new float[a.rows()];
            float[] yb = new float[b.rows()];
            a.matvec(x, ya);
            b.matvec(x, yb);
            double num = 0;
            double den = 0;
            for (int r = 0; r < ya.length; r++) {
                num += (ya[r] - yb[r]) * (ya[r] - yb[r]);
                den += ya[r] * ya[r];
            }
            assertTrue(Math.sqrt(num / den) < 0.01, "relative error of Q8_0 vs F16: " + Math.sqrt(num / den));
        }
    }

    @Test
    void rewritingTheModelReproducesMetadataAndTensors() throws IOException {
        Path copy = dir.resolve("copy.gguf");
        try (GgufFile original = GgufFile.open(model("f16"))) {
            GgufWriter writer = new GgufWriter().putAll(original.metadata());
            for (GgufTensor t : original.tensors()) {
                writer.addRawTensor(t.name(), t.type(), t.dims(), t.data());
            }
            writer.write(copy);
            try (GgufFile reread = GgufFile.open(copy)) {
                assertEquals(original.metadata().asMap(), reread.metadata().asMap());
                assertEquals(original.tensors().size(), reread.tensors().size());
                for (GgufTensor t : original.tensors()) {
                    GgufTensor r = reread.tensor(t.name());
                    assertArrayEquals(t.dims(), r.dims());
                    assertEquals(-1, t.data().mismatch(r.data()), t.name());
                }
            }
        }
    }
}
