package org.commvq.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Spec §0 and oracle 1: the llama3-scaled frequencies of LLaMA-3.1 against the spec's float64 check values. */
class RopeParametersTest {
    private static final RopeParameters LLAMA31 = RopeParameters.llama3(500000, 8, 1, 4, 8192);

    @Test
    void llama3ScaledFrequenciesMatchCheckValues() {
        int[] pairs = {0, 1, 20, 30, 40, 63};
        double[] expected = {1.0, 0.8146172, 0.01656044, 1.3718936e-3, 3.428102e-5, 3.068926e-7};
        for (int i = 0; i < pairs.length; i++) {
            double got = LLAMA31.frequency(pairs[i], 128);
            assertEquals(expected[i], got, expected[i] * 1e-6, "omega_" + pairs[i]);
        }
    }

    @Test
    void unscaledFrequenciesArePlainPowers() {
        RopeParameters plain = RopeParameters.plain(500000);
        for (int p = 0; p < 64; p++) {
            assertEquals(Math.pow(500000, -2.0 * p / 128), plain.frequency(p, 128), 0.0);
        }
    }

    @Test
    void rotationPreservesNormAndComposes() {
        Rope rope = new Rope(LLAMA31, 128);
        float[] v = new float[256];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(i * 0.37);
        }
        float[] twice = v.clone();
        rope.rotate(twice, 0, 2, 1000);
        rope.rotate(twice, 0, 2, 2000);
        float[] once = v.clone();
        rope.rotate(once, 0, 2, 3000);
        for (int i = 0; i < v.length; i++) {
            assertEquals(once[i], twice[i], 1e-4, "dim " + i);
        }
    }
}
