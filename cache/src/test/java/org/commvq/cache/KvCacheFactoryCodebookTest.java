package org.commvq.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.commvq.cache.codebook.CodebookFile;
import org.commvq.cache.codebook.CodebookHeader;
import org.commvq.cache.codebook.CodebookTensor;
import org.commvq.cache.codebook.ModelFingerprint;
import org.commvq.cache.commvq.CommVqBitBudget;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KvCacheFactoryCodebookTest {
    private static final ModelShape SHAPE = new ModelShape(2, 64, 2, 1, 32, 64, 600, 256, 1e-5f,
            RopeParameters.plain(10000));
    private static final ModelShape OTHER = new ModelShape(3, 64, 2, 1, 32, 64, 600, 256, 1e-5f,
            RopeParameters.plain(10000));

    @TempDir
    Path dir;
    private String savedHome;

    @BeforeEach
    void pointHomeAtTempDir() {
        savedHome = System.getProperty("commvq.home");
        System.setProperty("commvq.home", dir.toString());
    }

    @AfterEach
    void restoreHome() {
        if (savedHome == null) {
            System.clearProperty("commvq.home");
        } else {
            System.setProperty("commvq.home", savedHome);
        }
    }

    @Test
    void picksTheShippedCodebookMadeForThisModel() throws Exception {
        Path books = Files.createDirectories(dir.resolve(KvCacheFactory.CODEBOOK_DIR));
        write(books.resolve("a-other-commvq2.safetensors"), OTHER);
        Path mine = books.resolve("tiny-commvq2.safetensors");
        write(mine, SHAPE);
        write(books.resolve("tiny-commvq1.safetensors"), SHAPE);
        assertEquals(mine, KvCacheFactory.defaultCodebook("commvq2", SHAPE, "ab12"));
    }

    @Test
    void noMatchingCodebookIsOneLineNamingTheFlag() throws Exception {
        write(Files.createDirectories(dir.resolve(KvCacheFactory.CODEBOOK_DIR)).resolve("x-vqkv.safetensors"), OTHER);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KvCacheFactory.defaultCodebook("vqkv", SHAPE, "ab12"));
        assertTrue(e.getMessage().startsWith("--kv-cache vqkv needs --codebook FILE"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertTrue(KvCacheFactory.needsCodebook("commvq1") && !KvCacheFactory.needsCodebook("kivi2"));
    }

    @Test
    void commVqBytesPerTokenFollowTheBitBudget() {
        ModelShape s = new ModelShape(32, 4096, 32, 8, 128, 14336, 128256, 131072, 1e-5f,
                RopeParameters.plain(500000));
        assertEquals(32 * 2112 / 8.0, KvCacheFactory.bytesPerToken("commvq1", s));
        assertEquals(32 * 4096 / 8.0, KvCacheFactory.bytesPerToken("commvq2", s));
        assertEquals(4096, CommVqBitBudget.bitsPerTokenPerLayer(21, 2, 128, 8));
    }

    private static void write(Path file, ModelShape shape) {
        CodebookFile.write(file, new CodebookHeader("commvq", 2, Map.of("keys", 1),
                ModelFingerprint.of(shape, "ab12"), Map.of()), Map.of("t", new CodebookTensor(new float[] {1f},
                new long[] {1})));
    }
}
