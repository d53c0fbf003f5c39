package org.commvq.model.synth;

import org.commvq.model.gguf.FloatSource;

/**
 * Seeded pseudo-random weights of trained-model scale, generated from (seed, tensor, index) alone so a tensor can be
 * produced in any chunk order and the same seed always gives the same model. Values are uniform with the standard
 * deviation of the matching LLaMA weights (≈0.02 for projections, 1/√dim for the output head), norms are 1.
 */
public final class SyntheticWeights {
    private SyntheticWeights() {
    }

    /** Uniform values with mean 0 and the given standard deviation. */
    public static FloatSource uniform(long seed, int tensor, double std) {
        double halfWidth = std * Math.sqrt(3.0);
        long stream = mix(seed * 0x9E3779B97F4A7C15L + tensor);
        return (first, dst, count) -> {
            for (int i = 0; i < count; i++) {
                long bits = mix(stream + (first + i) * 0xBF58476D1CE4E5B9L);
                double u = (bits >>> 11) * 0x1.0p-53;
                dst[i] = (float) ((2 * u - 1) * halfWidth);
            }
        };
    }

    public static FloatSource constant(float value) {
        return (first, dst, count) -> java.util.Arrays.fill(dst, 0, count, value);
    }

    /** SplitMix64's finaliser: a cheap, well-mixed hash of a 64-bit counter. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
