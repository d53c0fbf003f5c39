package org.commvq.model.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.commvq.cache.ModelShape;
import org.commvq.model.ShapePresets;
import org.commvq.model.forward.LayerWeights;
import org.commvq.model.gguf.GgmlType;
import org.commvq.model.load.LoadedModel;
import org.commvq.model.load.ModelLoader;
import org.commvq.model.tensor.WeightMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A synthetic:SHAPE@SEED model holds exactly the weights and vocabulary of the GGUF synth writes for that seed. */
class SyntheticModelTest {
    @TempDir
    Path dir;

    @Test
    void equalsTheGgufThatSynthWrites() throws Exception {
        ModelShape shape = ShapePresets.get("tiny-llama-29m");
        Path file = dir.resolve("tiny.gguf");
        SyntheticModelWriter.write(shape, "synthetic-tiny-llama-29m", GgmlType.Q8_0, 5, file);
        try (LoadedModel written = ModelLoader.load(file);
             LoadedModel generated = ModelLoader.load(Path.of("synthetic:tiny-llama-29m@5"))) {
            assertEquals(written.shape(), generated.shape());
            assertEquals(written.vocabHash(), generated.vocabHash(), "vocabulary");
            assertEquals("Q8_0", generated.weightType());
            assertRowsEqual("token_embd", written.weights().tokenEmbedding(), generated.weights().tokenEmbedding());
            assertRowsEqual("output", written.weights().output(), generated.weights().output());
            for (int l : new int[] {0, shape.layers() - 1}) {
                LayerWeights a = written.weights().layers().get(l);
                LayerWeights b = generated.weights().layers().get(l);
                List<WeightMatrix> as = List.of(a.wq(), a.wk(), a.wv(), a.wo(), a.wGate(), a.wUp(), a.wDown());
                List<WeightMatrix> bs = List.of(b.wq(), b.wk(), b.wv(), b.wo(), b.wGate(), b.wUp(), b.wDown());
                for (int m = 0; m < as.size(); m++) {
                    assertRowsEqual("layer " + l + " matrix " + m, as.get(m), bs.get(m));
                }
                assertArrayEquals(a.attnNorm(), b.attnNorm());
            }
            float[] x = new float[shape.dim()];
            x[3] = 1f;
            float[] wa = new float[shape.queryDim()];
            float[] wb = new float[shape.queryDim()];
            written.weights().layers().get(1).wq().matvec(x, wa);
            generated.weights().layers().get(1).wq().matvec(x, wb);
            assertArrayEquals(wa, wb, 1e-6f, "a product through each matrix class");
        }
    }

    @Test
    void badSpecsNameTheProblem() {
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> ModelLoader.load(Path.of("synthetic:llama-9")));
        assertTrue(shape.getMessage().contains("'llama-9' is not one of"), shape.getMessage());
        IllegalArgumentException seed = assertThrows(IllegalArgumentException.class,
                () -> ModelLoader.load(Path.of("synthetic:tiny-llama-29m@x")));
        assertTrue(seed.getMessage().contains("seed"), seed.getMessage());
    }

    private static void assertRowsEqual(String what, WeightMatrix expected, WeightMatrix actual) {
        assertEquals(expected.rows(), actual.rows(), what + " rows");
        assertEquals(expected.cols(), actual.cols(), what + " cols");
        float[] a = new float[expected.cols()];
        float[] b = new float[expected.cols()];
        for (int r : new int[] {0, 1, expected.rows() / 2, expected.rows() - 1}) {
            expected.row(r, a, 0);
            actual.row(r, b, 0);
            assertArrayEquals(a, b, what + " row " + r);
        }
    }
}
