package org.commvq.model.collect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.commvq.cache.CacheMemory;
import org.commvq.cache.KvCache;
import org.commvq.cache.ModelShape;
import org.commvq.cache.Rope;
import org.commvq.cache.RopeParameters;
import org.commvq.cache.fp.Fp32KvCache;
import org.commvq.cache.io.SafetensorsFile;
import org.commvq.cache.train.KvCollection;
import org.commvq.cache.train.Progress;
import org.commvq.model.gguf.GgmlType;
import org.commvq.model.load.LoadedModel;
import org.commvq.model.load.ModelLoader;
import org.commvq.model.synth.SyntheticModelWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KvCollectorTest {
    private static final ModelShape SHAPE = new ModelShape(2, 64, 2, 1, 32, 128, 600, 256, 1e-5f,
            RopeParameters.plain(10000));

    @TempDir
    Path dir;

    /** A rerun skips the chunks on disk and rewrites a lost one byte for byte. */
    @Test
    void resumesByRewritingOnlyMissingChunks() throws Exception {
        Path model = dir.resolve("m.gguf");
        SyntheticModelWriter.write(SHAPE, "synthetic", GgmlType.F32, 3, model);
        Path text = dir.resolve("t.txt");
        Files.writeString(text, "The quick brown fox jumps over the lazy dog.\n".repeat(40));
        KvCollector.Options o = new KvCollector.Options(96, 16, 32, KvCollector.Split.ALL);
        Path out = dir.resolve("kv");
        try (LoadedModel m = ModelLoader.load(model)) {
            KvCollector.Summary first = KvCollector.collect(m, List.of(text), o, out, Progress.silent());
            assertEquals(3, first.chunksWritten());
            KvCollection kv = first.collection();
            byte[] chunk1 = Files.readAllBytes(kv.chunkFile(1));
            Files.delete(kv.chunkFile(1));
            KvCollector.Summary again = KvCollector.collect(m, List.of(text), o, out, Progress.silent());
            assertEquals(1, again.chunksWritten());
            assertEquals(2, again.chunksSkipped());
            assertArrayEquals(chunk1, Files.readAllBytes(kv.chunkFile(1)));
            assertKeysAreTheModelsPreRopeKeys(m, kv);
            assertQueriesAndOutputProjectionAreTheModels(m, kv);
        }
    }

    /**
     * Stored queries, rotated to their position in the sequence (the rule trainers apply), are the post-RoPE queries
     * the forward pass hands a cache, up to fp16 rounding; W_o is the model's, dequantized exactly.
     */
    private static void assertQueriesAndOutputProjectionAreTheModels(LoadedModel m, KvCollection kv) {
        assertTrue(kv.manifest().queries());
        int qd = SHAPE.queryDim();
        float[][] live = new float[SHAPE.layers()][16 * qd];
        Fp32KvCache exact = new Fp32KvCache(SHAPE, 16);
        KvCache capture = new KvCache() {
            @Override
            public void appendAndAttend(int layer, int pos, int n, float[] q, float[] k, float[] v, float[] out) {
                System.arraycopy(q, 0, live[layer], pos * qd, n * qd);
                exact.appendAndAttend(layer, pos, n, q, k, v, out);
            }

            @Override
            public String type() {
                return "capture";
            }

            @Override
            public ModelShape shape() {
                return SHAPE;
            }

            @Override
            public int capacity() {
                return 16;
            }

            @Override
            public int length(int layer) {
                return exact.length(layer);
            }

            @Override
            public CacheMemory memory() {
                return exact.memory();
            }

            @Override
            public void clear() {
                exact.clear();
            }
        };
        int[] ids = new int[16];
        try (SafetensorsFile st = SafetensorsFile.open(kv.chunkFile(0))) {
            System.arraycopy(st.ints("token_ids"), 0, ids, 0, 16);
        }
        m.forward().forward(ids, 0, 16, 0, capture);
        Rope rope = new Rope(SHAPE.rope(), SHAPE.headDim());
        for (int l = 0; l < SHAPE.layers(); l++) {
            float[] stored = kv.layer(l, KvCollection.KvKind.QUERIES, 16);
            for (int i = 0; i < 16; i++) {
                rope.rotate(stored, i * qd, SHAPE.heads(), i);
            }
            for (int t = 0; t < 16; t++) {
                float largest = 0;
                for (int i = t * qd; i < (t + 1) * qd; i++) {
                    largest = Math.max(largest, Math.abs(live[l][i]));
                }
                for (int i = t * qd; i < (t + 1) * qd; i++) {
                    assertEquals(live[l][i], stored[i], 1e-3 * largest, "layer " + l + " query " + i);
                }
            }
            float[] wo = kv.attentionOutput(l);
            float[] row = new float[qd];
            for (int r = 0; r < SHAPE.dim(); r++) {
                m.forward().weights().layers().get(l).wo().row(r, row, 0);
                assertArrayEquals(row, Arrays.copyOfRange(wo, r * qd, (r + 1) * qd), "layer " + l + " row " + r);
            }
        }
    }

    /** The stored keys of sequence 0 are what the forward pass hands a cache, rounded to fp16. */
    private static void assertKeysAreTheModelsPreRopeKeys(LoadedModel m, KvCollection kv) {
        int[] ids = new int[16];
        float[][] recorded = new float[SHAPE.layers()][];
        KvRecorder recorder = new KvRecorder(new Fp32KvCache(SHAPE, 16));
        try (SafetensorsFile st = SafetensorsFile.open(kv.chunkFile(0))) {
            int[] all = st.ints("token_ids");
            System.arraycopy(all, 0, ids, 0, 16);
        }
        m.forward().forward(ids, 0, 16, 0, recorder);
        for (int l = 0; l < SHAPE.layers(); l++) {
            recorded[l] = kv.layer(l, KvCollection.KvKind.KEYS, 16);
            float[] live = recorder.keys(l);
            for (int i = 0; i < recorded[l].length; i++) {
                assertEquals(Float.float16ToFloat(Float.floatToFloat16(live[i])), recorded[l][i], 0f, "layer " + l);
            }
        }
    }
}
