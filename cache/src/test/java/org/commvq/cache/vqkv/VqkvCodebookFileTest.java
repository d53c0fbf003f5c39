package org.commvq.cache.vqkv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
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
}
