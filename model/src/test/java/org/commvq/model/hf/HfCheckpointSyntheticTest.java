package org.commvq.model.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.commvq.cache.io.SafetensorsWriter;
import org.commvq.model.ModelFormatException;
import org.commvq.model.forward.LayerWeights;
import org.commvq.model.tensor.WeightMatrix;
import org.commvq.model.tokenizer.SharedFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A two-layer model made up here, whose every weight encodes its own position, split into shards: checks the
 * permutation arithmetic, sharding, tied embeddings and each refusal.
 */
class HfCheckpointSyntheticTest {
    private static final int DIM = 8;
    private static final int HEADS = 2;
    private static final int KV_HEADS = 1;
    private static final int HEAD_DIM = 4;
    private static final int FFN = 12;
    private static final int VOCAB = 10;

    @TempDir
    Path dir;

    private static String config(boolean tied) {
        return """
                {"model_type": "llama", "hidden_size": %d, "num_hidden_layers": 2, "num_attention_heads": %d,
                 "num_key_value_heads": %d, "head_dim": %d, "intermediate_size": %d, "vocab_size": %d,
                 "max_position_embeddings": 64, "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
                 "tie_word_embeddings": %b}
                """.formatted(DIM, HEADS, KV_HEADS, HEAD_DIM, FFN, VOCAB, tied);
    }

    /** Element (r, c) of tensor number t is t*1000 + r*16 + c, exact in F16 for these sizes. */
    private static float[] values(int t, int rows, int cols) {
        float[] v = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                v[r * cols + c] = t * 100 + r * 16 + c;
            }
        }
        return v;
    }

    private static void matrix(SafetensorsWriter w, String name, int t, int rows, int cols) {
        w.f32(name, values(t, rows, cols), rows, cols);
    }

    /** Layer i goes to shard i+1; the embedding, norm and head to shard 1. */
    private void writeModel(boolean tied, boolean withIndex) throws IOException {
        Files.writeString(dir.resolve("config.json"), config(tied));
        SafetensorsWriter[] shards = {new SafetensorsWriter(), new SafetensorsWriter()};
        StringBuilder index = new StringBuilder("{\"metadata\": {}, \"weight_map\": {");
        for (int i = 0; i < 2; i++) {
            SafetensorsWriter w = shards[i];
            String p = "model.layers." + i + ".";
            int t = 10 * i;
            matrix(w, p + "self_attn.q_proj.weight", t + 1, HEADS * HEAD_DIM, DIM);
            matrix(w, p + "self_attn.k_proj.weight", t + 2, KV_HEADS * HEAD_DIM, DIM);
            matrix(w, p + "self_attn.v_proj.weight", t + 3, KV_HEADS * HEAD_DIM, DIM);
            matrix(w, p + "self_attn.o_proj.weight", t + 4, DIM, HEADS * HEAD_DIM);
            matrix(w, p + "mlp.gate_proj.weight", t + 5, FFN, DIM);
            matrix(w, p + "mlp.up_proj.weight", t + 6, FFN, DIM);
            matrix(w, p + "mlp.down_proj.weight", t + 7, DIM, FFN);
            w.f32(p + "input_layernorm.weight", values(t + 8, 1, DIM), DIM);
            w.f32(p + "post_attention_layernorm.weight", values(t + 9, 1, DIM), DIM);
            for (String n : new String[] {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj",
                    "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj", "input_layernorm",
                    "post_attention_layernorm"}) {
                index.append("\"").append(p).append(n).append(".weight\": \"model-0000").append(i + 1)
                        .append("-of-00002.safetensors\", ");
            }
        }
        matrix(shards[0], "model.embed_tokens.weight", 30, VOCAB, DIM);
        shards[0].f32("model.norm.weight", values(31, 1, DIM), DIM);
        index.append("\"model.embed_tokens.weight\": \"model-00001-of-00002.safetensors\", ")
                .append("\"model.norm.weight\": \"model-00001-of-00002.safetensors\"");
        if (!tied) {
            matrix(shards[0], "lm_head.weight", 32, VOCAB, DIM);
            index.append(", \"lm_head.weight\": \"model-00001-of-00002.safetensors\"");
        }
        shards[0].write(dir.resolve("model-00001-of-00002.safetensors"));
        shards[1].write(dir.resolve("model-00002-of-00002.safetensors"));
        if (withIndex) {
            Files.writeString(dir.resolve("model.safetensors.index.json"), index.append("}}").toString());
        }
    }

    private static float[] row(WeightMatrix m, int r) {
        float[] out = new float[m.cols()];
        m.row(r, out, 0);
        return out;
    }

    @Test
    void shardedModelLoadsWithQkRowsInterleaved() throws IOException {
        writeModel(false, true);
        try (HfCheckpoint ckpt = HfCheckpoint.load(dir)) {
            assertEquals(2, ckpt.files().shards().size());
            assertEquals("F32", ckpt.weightType());
            ckpt.weights().check(ckpt.shape());
            for (int i = 0; i < 2; i++) {
                LayerWeights l = ckpt.weights().layers().get(i);
                int t = 10 * i;
                int[] qOrder = {0, 2, 1, 3, 4, 6, 5, 7};
                for (int r = 0; r < qOrder.length; r++) {
                    float[] hf = values(t + 1, HEADS * HEAD_DIM, DIM);
                    float[] expected = Arrays.copyOfRange(hf, qOrder[r] * DIM, (qOrder[r] + 1) * DIM);
                    assertArrayEquals(expected, row(l.wq(), r), "wq row " + r);
                }
                for (int r = 0; r < HEAD_DIM; r++) {
                    float[] hf = values(t + 2, HEAD_DIM, DIM);
                    int src = qOrder[r];
                    assertArrayEquals(Arrays.copyOfRange(hf, src * DIM, (src + 1) * DIM), row(l.wk(), r));
                    assertArrayEquals(Arrays.copyOfRange(values(t + 3, HEAD_DIM, DIM), r * DIM,
                            (r + 1) * DIM), row(l.wv(), r), "v is not permuted");
                }
                assertArrayEquals(values(t + 8, 1, DIM), l.attnNorm());
                assertArrayEquals(values(t + 9, 1, DIM), l.ffnNorm());
            }
            assertArrayEquals(values(31, 1, DIM), ckpt.weights().outputNorm());
            assertArrayEquals(row(ckpt.weights().output(), 3),
                    Arrays.copyOfRange(values(32, VOCAB, DIM), 3 * DIM, 4 * DIM));
        }
    }

    @Test
    void tiedEmbeddingsShareTheMatrixAndShardsLoadWithoutIndex() throws IOException {
        writeModel(true, false);
        try (HfCheckpoint ckpt = HfCheckpoint.load(dir)) {
            assertSame(ckpt.weights().tokenEmbedding(), ckpt.weights().output());
        }
    }

    private void refused(Path expectedFile, String fragment) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> HfCheckpoint.load(dir).close());
        assertTrue(e.getMessage().startsWith(expectedFile + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    @Test
    void missingShardIsNamed() throws IOException {
        writeModel(false, true);
        Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
        refused(dir.resolve("model.safetensors.index.json"), "missing from " + dir
                + ": model-00002-of-00002.safetensors");
        Files.delete(dir.resolve("model.safetensors.index.json"));
        refused(dir, "1 of 2 shards are missing: model-00002-of-00002.safetensors");
    }

    @Test
    void indexPointingAtTheWrongShardIsRefused() throws IOException {
        writeModel(false, true);
        Path index = dir.resolve("model.safetensors.index.json");
        Files.writeString(index, Files.readString(index).replace(
                "\"model.norm.weight\": \"model-00001", "\"model.norm.weight\": \"model-00002"));
        refused(dir.resolve("model-00002-of-00002.safetensors"), "does not hold tensor model.norm.weight");
    }

    @Test
    void shapeMismatchNamesTensorAndShapes() throws IOException {
        writeModel(false, true);
        Files.writeString(dir.resolve("config.json"), config(false).replace("\"intermediate_size\": 12",
                "\"intermediate_size\": 16"));
        refused(dir.resolve("model-00001-of-00002.safetensors"),
                "tensor model.layers.0.mlp.gate_proj.weight has shape [12, 8], expected [16, 8] from config.json");
    }

    @Test
    void missingTensorIsNamed() throws IOException {
        writeModel(false, false);
        Files.writeString(dir.resolve("config.json"), config(false).replace("\"num_hidden_layers\": 2",
                "\"num_hidden_layers\": 3"));
        refused(dir, "has no tensor model.layers.2.input_layernorm.weight");
    }

    @Test
    void directoryProblemsAreNamed() throws IOException {
        refused(dir.resolve("config.json"), "is missing");
        Files.writeString(dir.resolve("config.json"), config(false));
        refused(dir, "has no model.safetensors");
        Files.writeString(dir.resolve("config.json"), config(false).replace("llama", "gpt2"));
        Files.writeString(dir.resolve("model.safetensors"), "not a safetensors file");
        refused(dir.resolve("config.json"), "model_type is \"gpt2\"");
        Files.writeString(dir.resolve("config.json"), config(false));
        refused(dir.resolve("model.safetensors"), "header length");
    }

    @Test
    void tinyModelWithAlteredConfigIsRefused() throws IOException {
        Path tiny = SharedFixtures.tinyModel();
        Files.createSymbolicLink(dir.resolve("model.safetensors"), tiny.resolve("model.safetensors"));
        Files.writeString(dir.resolve("config.json"), Files.readString(tiny.resolve("config.json"))
                .replace("\"num_key_value_heads\": 2", "\"num_key_value_heads\": 4"));
        refused(dir.resolve("model.safetensors"),
                "tensor model.layers.0.self_attn.k_proj.weight has shape [256, 512], expected [512, 512]");
    }
}
