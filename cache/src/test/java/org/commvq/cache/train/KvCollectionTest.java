package org.commvq.cache.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.commvq.cache.ModelShape;
import org.commvq.cache.codebook.ModelFingerprint;
import org.commvq.cache.io.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KvCollectionTest {
    private static final ModelShape SHAPE = TrainFixtures.shape(2, 1, 16);

    @TempDir
    Path dir;

    @Test
    void manifestRoundTripsAndLayersReadAcrossChunks() {
        KvCollection kv = TrainFixtures.collection(dir, SHAPE, 5, 3);
        KvManifest m = KvCollection.open(dir).manifest();
        assertEquals(kv.manifest(), m);
        assertEquals(3, m.chunks());
        assertEquals(16, m.chunkTokens(2));
        float[] all = kv.layer(1, KvCollection.KvKind.VALUES, Long.MAX_VALUE);
        assertEquals(80 * 16, all.length);
        float[] first = kv.layer(1, KvCollection.KvKind.VALUES, 40);
        float[] expected = new float[40 * 16];
        System.arraycopy(all, 0, expected, 0, expected.length);
        assertArrayEquals(expected, first);
        float[] chunk0 = TrainFixtures.rows(32, 16, 3 + 2 + 1);
        for (int i = 0; i < 32 * 16; i++) {
            assertEquals(Float.float16ToFloat(Float.floatToFloat16(chunk0[i])), all[i]);
        }
    }

    @Test
    void refusesToMixTwoCollections() {
        TrainFixtures.collection(dir, SHAPE, 4, 1);
        KvManifest other = new KvManifest(ModelFingerprint.of(SHAPE, TrainFixtures.VOCAB_HASH), "synthetic.gguf",
                List.of("synthetic.txt"), "all", 32, 4, 2, SHAPE.layers(), SHAPE.kvHeads(), SHAPE.headDim(), false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KvCollection.create(dir, other));
        assertTrue(e.getMessage().contains("--seq-len 16 vs 32"), e.getMessage());
    }

    @Test
    void aMissingChunkIsNamed() throws Exception {
        KvCollection kv = TrainFixtures.collection(dir, SHAPE, 4, 1);
        Files.delete(kv.chunkFile(1));
        assertEquals(List.of(1), kv.missingChunks());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> kv.layer(0, KvCollection.KvKind.KEYS, Long.MAX_VALUE));
        assertTrue(e.getMessage().contains("chunk 1 is missing"), e.getMessage());
    }

    /** Queries (fp16, [tokens][heads·d]) and W_o (F32, exact) come back as collect-kv wrote them. */
    @Test
    void queriesAndAttentionOutputRoundTrip() {
        ModelShape shape = TrainFixtures.shape(2, 2, 8);
        KvCollection kv = TrainFixtures.attentionCollection(dir, shape, 3, 5);
        KvCollection opened = KvCollection.open(dir);
        assertEquals(kv.manifest(), opened.manifest());
        assertTrue(opened.manifest().queries());
        assertTrue(KvCollection.toJson(opened.manifest()).contains("\"format\" : 2"));
        float[] q = opened.layer(1, KvCollection.KvKind.QUERIES, Long.MAX_VALUE);
        assertEquals(48 * shape.queryDim(), q.length);
        float[] chunk0 = TrainFixtures.rows(32, shape.queryDim(), 5 + 500 + 1);
        for (int i = 0; i < chunk0.length; i++) {
            assertEquals(Float.float16ToFloat(Float.floatToFloat16(chunk0[i])), q[i]);
        }
        assertArrayEquals(TrainFixtures.outputProjection(shape, 5 + 1), opened.attentionOutput(1));
    }

    /**
     * A folder written before queries were collected (format 1 manifest, chunks of keys and values) still opens and
     * reads; asking it for queries or W_o names the way out, and collect-kv refuses to add to it.
     */
    @Test
    void anOldCollectionWithoutQueriesStillLoads() throws Exception {
        Files.writeString(dir.resolve(KvCollection.MANIFEST), """
                {"format": 1, "model": {"layers": 2, "heads": 2, "kv_heads": 1, "head_dim": 16,
                 "rope_theta": 10000.0, "rope_factor": 1.0, "rope_low_freq_factor": 1.0,
                 "rope_high_freq_factor": 4.0, "rope_original_context": 8192, "vocab_hash": "ab12"},
                 "model_file": "synthetic.gguf", "sources": ["synthetic.txt"], "split": "all", "seq_len": 16,
                 "sequences": 2, "tokens": 32, "chunk_sequences": 2, "layers": 2, "kv_heads": 1, "head_dim": 16,
                 "dtype": "F16", "key_layout": "pre-RoPE, interleaved pairs (2i, 2i+1) per head",
                 "chunks": [{"file": "chunk-00000.safetensors", "first_sequence": 0, "tokens": 32}]}
                """, StandardCharsets.UTF_8);
        float[] values = TrainFixtures.rows(32, 16, 9);
        SafetensorsWriter w = new SafetensorsWriter().i32("token_ids", new int[32], 32);
        for (int l = 0; l < 2; l++) {
            w.f16("layers." + l + ".keys", values, 32, 16).f16("layers." + l + ".values", values, 32, 16);
        }
        w.write(dir.resolve("chunk-00000.safetensors"));

        KvCollection kv = KvCollection.open(dir);
        assertFalse(kv.manifest().queries());
        assertEquals(TrainFixtures.collection(dir.resolve("new"), SHAPE, 2, 1).manifest(), kv.manifest());
        assertEquals(Float.float16ToFloat(Float.floatToFloat16(values[5])),
                kv.layer(1, KvCollection.KvKind.VALUES, 32)[5]);
        String json = KvCollection.toJson(kv.manifest());
        assertTrue(json.contains("\"format\" : 1") && !json.contains("quer"), json);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> kv.layer(0, KvCollection.KvKind.QUERIES, 32));
        assertTrue(e.getMessage().contains("--value-loss mse"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> kv.attentionOutput(0));
        KvManifest withQueries = new KvManifest(kv.manifest().model(), "synthetic.gguf", List.of("synthetic.txt"),
                "all", 16, 2, 2, 2, 1, 16, true);
        e = assertThrows(IllegalArgumentException.class, () -> KvCollection.create(dir, withQueries));
        assertTrue(e.getMessage().contains("no queries"), e.getMessage());
    }
}
