package org.commvq.tornado.plan;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.HalfFloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

import org.commvq.cache.ModelShape;
import org.commvq.tornado.kernels.Attention;
import org.commvq.tornado.kernels.KvAppend;
import org.commvq.tornado.kernels.Rope;

/**
 * One layer's KV cache on the device with the tasks that store a token's key and value and attend over the stored
 * ones. Its arrays stay on the device: they are copied there once and never back. The dense caches hold post-RoPE
 * keys {@code [capacity][kvDim]}; {@link DeviceCommVqLayer} holds CommVQ codes and a pre-RoPE tail.
 */
public sealed interface DeviceKvLayer permits DeviceKvLayer.Dense, DeviceCommVqLayer {
    int capacity();

    int kvDim();

    Object[] arrays();

    /**
     * Adds the tasks that take the block's new k and v (pre-RoPE, in s.k() and s.v()) at position[0] and write the
     * attention of s.q() (post-RoPE) over tokens 0..position[0] to s.att().
     */
    void addAttention(LayerTasks tasks, KernelContext ctx, LayerScratch s, DecodeStep step);

    /**
     * Puts seeded random contents of realistic range in the host arrays for positions [0, tokens), as if that much
     * context had been run; takes effect only before the first execute, which copies the arrays to the device.
     */
    void fillSynthetic(int tokens, long seed);

    static Dense allocate(KvPrecision precision, String name, int capacity, int kvDim, DeviceMemoryBudget budget) {
        long elements = (long) capacity * kvDim;
        return switch (precision) {
            case F32 -> new F32(budget.floats(name + ".keys", elements), budget.floats(name + ".values", elements),
                    capacity, kvDim);
            case F16 -> new F16(budget.halves(name + ".keys", elements), budget.halves(name + ".values", elements),
                    capacity, kvDim);
        };
    }

    /** Keys rotated at their position and values, {@code [capacity][kvDim]} each, as the dense CPU caches hold them. */
    sealed interface Dense extends DeviceKvLayer permits F32, F16 {
        /** Stores k and v at position[0]; launch with {@link Grids#perElement}(kvDim, group size). */
        TaskGraph append(TaskGraph graph, String task, KernelContext ctx, FloatArray k, FloatArray v,
                         IntArray position);

        /** Attention of q over tokens 0..position[0]; launch with {@link Grids#perGroup}(heads, group size). */
        TaskGraph attend(TaskGraph graph, String task, KernelContext ctx, FloatArray q, FloatArray out,
                         FloatArray scores, IntArray position, int headDim, int groupSize, float scale);

        /** RoPE on k at the step's position, then append and attend. */
        @Override
        default void addAttention(LayerTasks t, KernelContext ctx, LayerScratch s, DecodeStep step) {
            ModelShape shape = t.shape();
            int group = t.groupSize();
            int pairs = shape.headDim() / 2;
            t.graph().task(t.name("ropeK"), Rope::rotatePairs, ctx, s.k(), step.cos(), step.sin(), shape.kvHeads(),
                    pairs);
            t.grid("ropeK", Grids.perElement(shape.kvHeads() * pairs, group));
            append(t.graph(), t.name("append"), ctx, s.k(), s.v(), step.position());
            t.grid("append", Grids.perElement(shape.kvDim(), group));
            attend(t.graph(), t.name("attend"), ctx, s.q(), s.att(), s.scores(), step.position(), shape.headDim(),
                    shape.groupSize(), (float) (1.0 / Math.sqrt(shape.headDim())));
            t.grid("attend", Grids.perGroup(shape.heads(), group));
        }
    }

    record F32(FloatArray keys, FloatArray values, int capacity, int kvDim) implements Dense {
        @Override
        public Object[] arrays() {
            return new Object[] {keys, values};
        }

        @Override
        public void fillSynthetic(int tokens, long seed) {
            SyntheticFill.floats(keys, 0, (long) tokens * kvDim, -1f, 1f, seed);
            SyntheticFill.floats(values, 0, (long) tokens * kvDim, -1f, 1f, seed + 1);
        }

        @Override
        public TaskGraph append(TaskGraph graph, String task, KernelContext ctx, FloatArray k, FloatArray v,
                                IntArray position) {
            return graph.task(task, KvAppend::f32, ctx, keys, values, k, v, position, kvDim);
        }

        @Override
        public TaskGraph attend(TaskGraph graph, String task, KernelContext ctx, FloatArray q, FloatArray out,
                                FloatArray scores, IntArray position, int headDim, int groupSize, float scale) {
            return graph.task(task, Attention::f32, ctx, q, keys, values, out, scores, position, headDim, kvDim,
                    groupSize, capacity, scale);
        }
    }

    record F16(HalfFloatArray keys, HalfFloatArray values, int capacity, int kvDim) implements Dense {
        @Override
        public Object[] arrays() {
            return new Object[] {keys, values};
        }

        @Override
        public void fillSynthetic(int tokens, long seed) {
            SyntheticFill.halves(keys, 0, (long) tokens * kvDim, -1f, 1f, seed);
            SyntheticFill.halves(values, 0, (long) tokens * kvDim, -1f, 1f, seed + 1);
        }

        @Override
        public TaskGraph append(TaskGraph graph, String task, KernelContext ctx, FloatArray k, FloatArray v,
                                IntArray position) {
            return graph.task(task, KvAppend::f16, ctx, keys, values, k, v, position, kvDim);
        }

        @Override
        public TaskGraph attend(TaskGraph graph, String task, KernelContext ctx, FloatArray q, FloatArray out,
                                FloatArray scores, IntArray position, int headDim, int groupSize, float scale) {
            return graph.task(task, Attention::f16, ctx, q, keys, values, out, scores, position, headDim, kvDim,
                    groupSize, capacity, scale);
        }
    }
}
