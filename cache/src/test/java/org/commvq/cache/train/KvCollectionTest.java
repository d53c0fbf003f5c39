package org.commvq.cache.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.commvq.cache.ModelShape;
import org.commvq.cache.codebook.ModelFingerprint;
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
                List.of("synthetic.txt"), "all", 32, 4, 2, SHAPE.layers(), SHAPE.kvHeads(), SHAPE.headDim());
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
}
