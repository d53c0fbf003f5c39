package org.commvq.model.collect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.commvq.cache.ModelShape;
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
