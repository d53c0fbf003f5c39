package org.commvq.cache.vqkv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.commvq.cache.KvCacheFactory;
import org.commvq.cache.ModelShape;
import org.commvq.cache.codebook.CodebookException;
import org.commvq.cache.codebook.CodebookHeader;
import org.commvq.cache.scalar.AttentionOracle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VqkvCodebookFileTest {
    @TempDir
    Path dir;

    @Test
    void codebooksRoundTripAndRefuseAnotherModel() {
        ModelShape s = AttentionOracle.shape(2, 4, 2, 16);
        VqkvCodebooks books = VqkvTestData.randomCodebooks(new Random(1), s, 3, 20, 2, 9);
        CodebookHeader header = VqkvCodebookFile.header(s, "beef", books, Map.of("seed", 1));
        assertEquals(3 * 5 + 2 * 4, header.bits());
        assertEquals(Map.of("keys", 3, "values", 2), header.stages());
        Path file = dir.resolve("vqkv.safetensors");
        VqkvCodebookFile.write(file, header, books);

        VqkvCodebooks read = VqkvCodebookFile.read(file, s, "beef");
        assertEquals(2, read.layers());
        for (int l = 0; l < 2; l++) {
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(books.keys(l).codewords(i), read.keys(l).codewords(i));
            }
            for (int i = 0; i < 2; i++) {
                assertArrayEquals(books.values(l).codewords(i), read.values(l).codewords(i));
            }
        }
        CodebookException e = assertThrows(CodebookException.class,
                () -> VqkvCodebookFile.read(file, AttentionOracle.shape(2, 4, 2, 32), "beef"));
        assertEquals(file + ": made for head_dim 16, this model has head_dim 32", e.getMessage());
        e = assertThrows(CodebookException.class, () -> VqkvCodebookFile.read(file, s, "cafe"));
        assertEquals(file + ": made for vocab_hash beef, this model has vocab_hash cafe", e.getMessage());
    }

    /** The factory's window reaches the cache: after 4 sinks, 16 tokens compress once the window holds 32. */
    @Test
    void theFactoryBuildsTheWindowItIsGiven() {
        ModelShape s = AttentionOracle.shape(1, 2, 1, 16);
        VqkvCodebooks books = VqkvTestData.randomCodebooks(new Random(3), s, 2, 16, 2, 16);
        Path file = dir.resolve("w.safetensors");
        VqkvCodebookFile.write(file, VqkvCodebookFile.header(s, "beef", books, Map.of()), books);
        VqkvKvCache paper = (VqkvKvCache) KvCacheFactory.create("vqkv", s, 64, file, "beef");
        VqkvKvCache small = (VqkvKvCache) KvCacheFactory.create("vqkv", s, 64, file, "beef", 16);
        Random rnd = new Random(4);
        float[] keys = AttentionOracle.flatten(AttentionOracle.gaussianRows(rnd, 40, s.kvDim(), 1.0), 0, 40);
        float[] queries = AttentionOracle.flatten(AttentionOracle.gaussianRows(rnd, 40, s.queryDim(), 1.0), 0, 40);
        for (VqkvKvCache cache : new VqkvKvCache[] {paper, small}) {
            cache.appendAndAttend(0, 0, 40, queries, keys, keys, new float[40 * s.queryDim()]);
        }
        assertEquals(0, paper.compressedTokens(0));
        assertEquals(16, small.compressedTokens(0));
    }
}
