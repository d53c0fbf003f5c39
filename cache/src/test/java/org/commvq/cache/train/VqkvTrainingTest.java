package org.commvq.cache.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.commvq.cache.ModelShape;
import org.commvq.cache.vqkv.VqkvCodebookFile;
import org.commvq.cache.vqkv.VqkvCodebooks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VqkvTrainingTest {
    private static final ModelShape SHAPE = TrainFixtures.shape(2, 2, 16);
    private static final VqkvTraining.Settings SETTINGS = new VqkvTraining.Settings(new int[] {8, 8, 4},
            new int[] {8, 4}, 5, 6, 1_000_000);

    @TempDir
    Path dir;

    @Test
    void resumingAfterAKillGivesTheSameCodebook() throws IOException {
        KvCollection kv = TrainFixtures.collection(dir.resolve("kv"), SHAPE, 6, 5);
        Path whole = dir.resolve("whole.safetensors");
        VqkvTraining.Result r = VqkvTraining.train(kv, SETTINGS, whole, Progress.silent(), x -> { });
        Path resumed = dir.resolve("resumed.safetensors");
        assertThrows(IllegalStateException.class, () -> VqkvTraining.train(kv, SETTINGS, resumed, Progress.silent(),
                x -> {
                    throw new IllegalStateException("killed after layer " + x.layer());
                }));
        VqkvTraining.train(kv, SETTINGS, resumed, Progress.silent(), x -> { });
        assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(resumed));
        VqkvCodebooks books = VqkvCodebookFile.read(resumed, SHAPE, TrainFixtures.VOCAB_HASH);
        assertTrue(books.keys(0).stages() == 3 && books.values(1).stages() == 2);
        for (VqkvTraining.LayerReport l : r.layers()) {
            assertTrue(l.keyError() < 1 && l.valueError() < 1, l.line());
        }
    }
}
