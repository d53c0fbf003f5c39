package org.commvq.tornado.testing;

import static org.junit.jupiter.api.Assertions.fail;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** Element-wise comparison |actual − expected| ≤ abs + rel·|expected| that names the worst element on failure. */
public final class Tolerance {
    private Tolerance() {
    }

    public static void assertClose(String what, float[] expected, FloatArray actual, double abs, double rel) {
        assertClose(what, expected, actual.toHeapArray(), abs, rel);
    }

    public static void assertClose(String what, float[] expected, float[] actual, double abs, double rel) {
        if (expected.length != actual.length) {
            fail(what + ": expected " + expected.length + " values, got " + actual.length);
        }
        int worst = -1;
        double worstExcess = 0;
        double maxError = 0;
        for (int i = 0; i < expected.length; i++) {
            double error = Math.abs((double) actual[i] - expected[i]);
            double excess = error - (abs + rel * Math.abs(expected[i]));
            maxError = Math.max(maxError, error);
            if (!(excess <= 0) && (worst < 0 || excess > worstExcess || Double.isNaN(excess))) {
                worst = i;
                worstExcess = excess;
            }
        }
        if (worst >= 0) {
            fail(String.format("%s: element %d is %s, expected %s (tolerance %.1e + %.1e·|expected|, max error %.3e)",
                    what, worst, actual[worst], expected[worst], abs, rel, maxError));
        }
    }
}
