package org.commvq.cache.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.commvq.cache.ModelShape;
import org.commvq.cache.Workers;
import org.commvq.cache.codebook.CodebookException;
import org.commvq.cache.commvq.CommVqCodebookFile;
import org.commvq.cache.commvq.CommVqCodebooks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommVqTrainingTest {
    private static final ModelShape SHAPE = TrainFixtures.shape(3, 1, 32);
    private static final CommVqTraining.Settings SETTINGS = settings(2, 1, null);

    @TempDir
    Path dir;

    private static CommVqTraining.Settings settings(int stages, int bits, Path keysFrom) {
        return settings(stages, bits, keysFrom, ValueTrainer.Loss.MSE);
    }

    private static CommVqTraining.Settings settings(int stages, int bits, Path keysFrom, ValueTrainer.Loss loss) {
        return new CommVqTraining.Settings(stages, CommVqTraining.KeyMethod.EM, 3, 64, 1e-3, 64, 1_000_000,
                new ValueTrainer.Settings(bits, 16, 2, 64, 1e-2, 0.1, 4, loss, 8), 1_000_000, 4, keysFrom);
    }

    @AfterEach
    void restoreThreads() {
        Workers.setThreads(Runtime.getRuntime().availableProcessors());
    }

    /** A run killed after layer 1 and run again writes the same bytes as one that was never interrupted. */
    @Test
    void resumingAfterAKillGivesTheSameCodebook() throws IOException {
        KvCollection kv = TrainFixtures.collection(dir.resolve("kv"), SHAPE, 12, 1);
        Path whole = dir.resolve("whole.safetensors");
        CommVqTraining.train(kv, SETTINGS, whole, Progress.silent(), r -> { });

        Path resumed = dir.resolve("resumed.safetensors");
        RuntimeException kill = new RuntimeException("killed");
        RuntimeException thrown = assertThrows(RuntimeException.class, () ->
                CommVqTraining.train(kv, SETTINGS, resumed, Progress.silent(), r -> {
                    if (r.layer() == 1) {
                        throw kill;
                    }
                }));
        assertEquals(kill, thrown);
        assertFalse(Files.exists(resumed));
        CommVqTraining.Result r = CommVqTraining.train(kv, SETTINGS, resumed, Progress.silent(), x -> { });
        assertEquals(List.of(true, true, false), r.layers().stream().map(CommVqTraining.LayerReport::resumed).toList());
        assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(resumed));
        assertFalse(Files.exists(dir.resolve("resumed.safetensors.parts")), "checkpoints are removed at the end");
    }

    @Test
    void sameFileOnAnyThreadCount() throws IOException {
        KvCollection kv = TrainFixtures.collection(dir.resolve("kv"), SHAPE, 8, 2);
        Workers.setThreads(1);
        CommVqTraining.train(kv, SETTINGS, dir.resolve("one.safetensors"), Progress.silent(), r -> { });
        Workers.setThreads(3);
        CommVqTraining.train(kv, SETTINGS, dir.resolve("three.safetensors"), Progress.silent(), r -> { });
        assertArrayEquals(Files.readAllBytes(dir.resolve("one.safetensors")),
                Files.readAllBytes(dir.resolve("three.safetensors")));
    }

    /** A 1-bit codebook whose keys come from a 2-bit one equals one that trained its own (spec: greedy stages). */
    @Test
    void keyStagesTakenFromALongerRunEqualTrainingThem() throws IOException {
        KvCollection kv = TrainFixtures.collection(dir.resolve("kv"), SHAPE, 6, 4);
        Path longer = dir.resolve("r3.safetensors");
        CommVqTraining.train(kv, settings(3, 2, null), longer, Progress.silent(), r -> { });
        Path trained = dir.resolve("trained.safetensors");
        CommVqTraining.train(kv, SETTINGS, trained, Progress.silent(), r -> { });
        Path taken = dir.resolve("taken.safetensors");
        CommVqTraining.train(kv, settings(2, 1, longer), taken, Progress.silent(), r -> { });
        CommVqCodebooks a = CommVqCodebookFile.read(trained, SHAPE, TrainFixtures.VOCAB_HASH, 1);
        CommVqCodebooks b = CommVqCodebookFile.read(taken, SHAPE, TrainFixtures.VOCAB_HASH, 1);
        for (int l = 0; l < SHAPE.layers(); l++) {
            assertArrayEquals(a.keys().layerTheta(l), b.keys().layerTheta(l), "layer " + l);
        }
        CommVqTraining.Settings otherSeed = new CommVqTraining.Settings(2, CommVqTraining.KeyMethod.EM, 3, 64, 1e-3,
                64, 1_000_000, new ValueTrainer.Settings(1, 16, 2, 64, 1e-2, 0.1, 5, ValueTrainer.Loss.MSE, 16),
                1_000_000, 5, longer);
        CodebookException e = assertThrows(CodebookException.class, () ->
                CommVqTraining.train(kv, otherSeed, dir.resolve("x.safetensors"), Progress.silent(), r -> { }));
        assertTrue(e.getMessage().contains("other settings"), e.getMessage());
    }

    /**
     * Keys trained on a collection of keys and values only are taken for a collection of the same tokens that also
     * holds queries: the queries change nothing the keys depend on.
     */
    @Test
    void keysFromACollectionWithoutQueriesServeOneWithThem() throws IOException {
        ModelShape shape = TrainFixtures.shape(2, 2, 16);
        Path longer = dir.resolve("r3.safetensors");
        CommVqTraining.train(TrainFixtures.collection(dir.resolve("old"), shape, 6, 4), settings(3, 2, null),
                longer, Progress.silent(), r -> { });
        KvCollection withQueries = TrainFixtures.attentionCollection(dir.resolve("new"), shape, 6, 4);
        Path taken = dir.resolve("taken.safetensors");
        CommVqTraining.train(withQueries, settings(2, 1, longer, ValueTrainer.Loss.ATTENTION), taken,
                Progress.silent(), r -> { });
        Path trained = dir.resolve("trained.safetensors");
        CommVqTraining.train(withQueries, settings(2, 1, null, ValueTrainer.Loss.ATTENTION), trained,
                Progress.silent(), r -> { });
        CommVqCodebooks a = CommVqCodebookFile.read(trained, shape, TrainFixtures.VOCAB_HASH, 1);
        CommVqCodebooks b = CommVqCodebookFile.read(taken, shape, TrainFixtures.VOCAB_HASH, 1);
        for (int l = 0; l < shape.layers(); l++) {
            assertArrayEquals(a.keys().layerTheta(l), b.keys().layerTheta(l), "layer " + l);
        }
    }

    @Test
    void theFileLoadsForItsModelAndReportsErrors() {
        KvCollection kv = TrainFixtures.collection(dir.resolve("kv"), SHAPE, 8, 3);
        Path file = dir.resolve("cb.safetensors");
        CommVqTraining.Result r = CommVqTraining.train(kv, SETTINGS, file, Progress.silent(), x -> { });
        CommVqCodebooks books = CommVqCodebookFile.read(file, SHAPE, TrainFixtures.VOCAB_HASH, 1);
        assertEquals(2, books.stages());
        assertEquals(1, books.bits());
        for (CommVqTraining.LayerReport l : r.layers()) {
            assertTrue(l.keyError() > 0 && l.keyError() < 1, "key error " + l.keyError());
            assertTrue(l.valueError() > 0 && l.valueError() < 2, "value error " + l.valueError());
        }
        CodebookException e = assertThrows(CodebookException.class,
                () -> CommVqCodebookFile.read(file, SHAPE, TrainFixtures.VOCAB_HASH, 2));
        assertTrue(e.getMessage().contains("1-bit"), e.getMessage());
    }

    /**
     * The attention-output loss (windows of 8 tokens, 8 per step) writes the same file on 1 and 3 threads, and the
     * report carries the attention-output error that an MSE run on an old collection cannot measure.
     */
    @Test
    void attentionLossGivesTheSameFileOnAnyThreadCount() throws IOException {
        ModelShape shape = TrainFixtures.shape(2, 2, 16);
        KvCollection kv = TrainFixtures.attentionCollection(dir.resolve("kv"), shape, 6, 2);
        CommVqTraining.Settings s = settings(2, 1, null, ValueTrainer.Loss.ATTENTION);
        Workers.setThreads(1);
        CommVqTraining.Result one = CommVqTraining.train(kv, s, dir.resolve("one.safetensors"), Progress.silent(),
                r -> { });
        Workers.setThreads(3);
        CommVqTraining.train(kv, s, dir.resolve("three.safetensors"), Progress.silent(), r -> { });
        assertArrayEquals(Files.readAllBytes(dir.resolve("one.safetensors")),
                Files.readAllBytes(dir.resolve("three.safetensors")));
        for (CommVqTraining.LayerReport l : one.layers()) {
            assertTrue(l.attentionError() > 0 && l.attentionError() < 2, "attention error " + l.attentionError());
            assertTrue(l.line().contains("attention output"), l.line());
        }
        CommVqTraining.Result old = CommVqTraining.train(TrainFixtures.collection(dir.resolve("old"), SHAPE, 4, 1),
                SETTINGS, dir.resolve("old.safetensors"), Progress.silent(), r -> { });
        assertTrue(Double.isNaN(old.layers().get(0).attentionError()));
    }

    /** Asking for the attention loss on a collection without queries fails before any layer trains. */
    @Test
    void theAttentionLossNeedsQueries() {
        KvCollection kv = TrainFixtures.collection(dir.resolve("kv"), SHAPE, 4, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CommVqTraining.train(kv,
                settings(2, 1, null, ValueTrainer.Loss.ATTENTION), dir.resolve("x.safetensors"), Progress.silent(),
                r -> { }));
        assertTrue(e.getMessage().contains("--value-loss mse"), e.getMessage());
    }
}
