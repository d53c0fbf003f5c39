package org.commvq.model.synth;

import org.commvq.cache.ModelShape;
import org.commvq.model.gguf.FloatSource;

/**
 * Which {@link SyntheticWeights} stream each tensor of a synthetic model draws from, shared by the GGUF writer and
 * the in-memory synthetic model so both hold the same weights for a seed: stream 0 is the embedding, 1 + 7·layer + k
 * the layer's matrices in the order of {@link Matrix}, and 1 + 7·layers the output head.
 */
public final class SyntheticTensors {
    /** Standard deviation of the projections and the embedding, as in trained LLaMA checkpoints. */
    private static final double PROJECTION_STD = 0.02;

    public enum Matrix { Q, K, V, O, GATE, UP, DOWN }

    private SyntheticTensors() {
    }

    public static FloatSource embedding(long seed) {
        return SyntheticWeights.uniform(seed, 0, PROJECTION_STD);
    }

    public static FloatSource layer(long seed, int layer, Matrix m) {
        return SyntheticWeights.uniform(seed, 1 + 7 * layer + m.ordinal(), PROJECTION_STD);
    }

    /** The output head, scaled 1/√dim so logits have unit scale. */
    public static FloatSource output(long seed, ModelShape s) {
        return SyntheticWeights.uniform(seed, 1 + 7 * s.layers(), 1 / Math.sqrt(s.dim()));
    }
}
