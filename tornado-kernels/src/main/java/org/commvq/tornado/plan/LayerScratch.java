package org.commvq.tornado.plan;

import java.util.Arrays;
import java.util.stream.Stream;

import org.commvq.cache.ModelShape;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The device activations one block works in. They never leave the device; blocks that run in order within one graph
 * share one set, which also saves the attention scores' {@code heads × capacity} floats per layer.
 */
public record LayerScratch(FloatArray xb, FloatArray q, FloatArray k, FloatArray v, FloatArray att,
                           FloatArray scores, FloatArray gate,
                           CommVqScratch commVq, DenseChunks denseChunks) {

    /**
     * @param commVqCodeBits value bits per token of the blocks' CommVQ caches, or 0 for dense caches; either gets its
     *                       attention's per-chunk summaries
     */
    public static LayerScratch allocate(String name, ModelShape shape, int capacity, int commVqCodeBits,
                                        DeviceMemoryBudget budget) {
        return new LayerScratch(
                budget.floats(name + ".xb", shape.dim()),
                budget.floats(name + ".q", shape.queryDim()),
                budget.floats(name + ".k", shape.kvDim()),
                budget.floats(name + ".v", shape.kvDim()),
                budget.floats(name + ".att", shape.queryDim()),
                budget.floats(name + ".scores", (long) shape.heads() * capacity),
                budget.floats(name + ".gate", shape.ffnDim()),
                commVqCodeBits > 0 ? CommVqScratch.allocate(name, shape, capacity, commVqCodeBits, budget) : null,
                commVqCodeBits > 0 ? null : DenseChunks.allocate(name, shape, capacity, budget));
    }

    /** Every array, for one FIRST_EXECUTION transfer that allocates them on the device. */
    public Object[] arrays() {
        Object[] common = {xb, q, k, v, att, scores, gate};
        Object[] cache = commVq != null ? commVq.arrays() : denseChunks.arrays();
        return Stream.concat(Arrays.stream(common), Arrays.stream(cache)).toArray();
    }
}
