package org.commvq.model.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import java.io.IOException;
import java.nio.file.Path;
import org.commvq.model.forward.LayerWeights;
import org.commvq.model.forward.LlamaWeights;
import org.commvq.model.tensor.WeightMatrix;
import org.commvq.model.tokenizer.MiniGguf;
import org.commvq.model.tokenizer.SharedFixtures;
import org.junit.jupiter.api.Test;

/**
 * The tiny model's safetensors (HF layout) against its F16 GGUF, whose Q and K rows llama.cpp-style conversion
 * permuted: after loading, every matrix row and norm must be bit-identical.
 */
class HfCheckpointTinyTest {

    private static void sameRows(MiniGguf gguf, String ggufName, WeightMatrix m) {
        long[] dims = gguf.dims(ggufName);
        assertEquals(m.cols(), dims[0], ggufName + " cols");
        assertEquals(m.rows(), dims[1], ggufName + " rows");
        float[] row = new float[m.cols()];
        for (int r = 0; r < m.rows(); r++) {
            m.row(r, row, 0);
            assertArrayEquals(gguf.row(ggufName, r), row, ggufName + " row " + r);
        }
    }

    @Test
    void weightsEqualThePermutedGguf() throws IOException {
        Path dir = SharedFixtures.tinyModel();
        MiniGguf gguf = new MiniGguf(dir.resolve("tiny-llama-29m-f16.gguf"));
        try (HfCheckpoint ckpt = HfCheckpoint.load(dir)) {
            LlamaWeights w = ckpt.weights();
            w.check(ckpt.shape());
            assertEquals("F16", ckpt.weightType());
            assertEquals(29_368_832, w.parameterCount());
            for (int i = 0; i < 8; i++) {
                LayerWeights l = w.layers().get(i);
                String p = "blk." + i + ".";
                sameRows(gguf, p + "attn_q.weight", l.wq());
                sameRows(gguf, p + "attn_k.weight", l.wk());
                sameRows(gguf, p + "attn_v.weight", l.wv());
                sameRows(gguf, p + "attn_output.weight", l.wo());
                sameRows(gguf, p + "ffn_gate.weight", l.wGate());
                sameRows(gguf, p + "ffn_up.weight", l.wUp());
                sameRows(gguf, p + "ffn_down.weight", l.wDown());
                assertArrayEquals(gguf.row(p + "attn_norm.weight", 0), l.attnNorm());
                assertArrayEquals(gguf.row(p + "ffn_norm.weight", 0), l.ffnNorm());
            }
            sameRows(gguf, "token_embd.weight", w.tokenEmbedding());
            sameRows(gguf, "output.weight", w.output());
            assertNotSame(w.tokenEmbedding(), w.output());
            assertArrayEquals(gguf.row("output_norm.weight", 0), w.outputNorm());
        }
    }
}
