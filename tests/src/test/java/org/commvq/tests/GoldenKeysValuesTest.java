package org.commvq.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.commvq.cache.CacheMemory;
import org.commvq.cache.KvCache;
import org.commvq.cache.ModelShape;
import org.commvq.cache.Rope;
import org.commvq.cache.fp.Fp32KvCache;
import org.commvq.cache.io.SafetensorsFile;
import org.commvq.model.load.LoadedModel;
import org.commvq.model.load.ModelLoader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The keys and values the engine hands to its cache, against the reference's k_proj/v_proj outputs in kv_short.bin
 * (GGUF interleaved layout), and our RoPE against the reference's rotated keys.
 */
class GoldenKeysValuesTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tiny-llama-29m-f16.gguf", "."})
    void preRopeKeysRotatedKeysAndValuesMatch(String form) {
        try (LoadedModel model = ModelLoader.load(SharedFixtures.tinyModel(form));
             SafetensorsFile kv = SafetensorsFile.open(SharedFixtures.tinyModel("kv_short.bin"))) {
            int[] ids = kv.ints("ids");
            ModelShape s = model.shape();
            Recorder recorder = new Recorder(new Fp32KvCache(s, ids.length), ids.length);
            model.forward().forward(ids, 0, ids.length, 0, recorder);
            float[] postRope = recorder.keys.clone();
            Rope rope = new Rope(s.rope(), s.headDim());
            for (int l = 0; l < s.layers(); l++) {
                for (int t = 0; t < ids.length; t++) {
                    rope.rotate(postRope, (l * ids.length + t) * s.kvDim(), s.kvHeads(), t);
                }
            }
            within("k_pre_rope_gguf", kv.floats("k_pre_rope_gguf"), recorder.keys);
            within("k_post_rope_gguf", kv.floats("k_post_rope_gguf"), postRope);
            within("v", kv.floats("v"), recorder.values);
        }
    }

    private static void within(String name, float[] expected, float[] actual) {
        assertTrue(expected.length == actual.length, name + " sizes");
        float max = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(max <= 1e-3, name + ": max |diff| " + max);
    }

    /** Passes everything to a real cache and keeps a copy of the keys and values, [layer][token][kvDim]. */
    private static final class Recorder implements KvCache {
        private final KvCache inner;
        private final int tokens;
        final float[] keys;
        final float[] values;

        Recorder(KvCache inner, int tokens) {
            this.inner = inner;
            this.tokens = tokens;
            int size = inner.shape().layers() * tokens * inner.shape().kvDim();
            keys = new float[size];
            values = new float[size];
        }

        @Override
        public void appendAndAttend(int layer, int pos, int n, float[] q, float[] k, float[] v, float[] out) {
            int w = shape().kvDim();
            System.arraycopy(k, 0, keys, (layer * tokens + pos) * w, n * w);
            System.arraycopy(v, 0, values, (layer * tokens + pos) * w, n * w);
            inner.appendAndAttend(layer, pos, n, q, k, v, out);
        }

        @Override
        public String type() {
            return inner.type();
        }

        @Override
        public ModelShape shape() {
            return inner.shape();
        }

        @Override
        public int capacity() {
            return inner.capacity();
        }

        @Override
        public int length(int layer) {
            return inner.length(layer);
        }

        @Override
        public CacheMemory memory() {
            return inner.memory();
        }

        @Override
        public void clear() {
            inner.clear();
        }
    }
}
