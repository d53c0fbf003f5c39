package org.commvq.tornado.plan;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.HalfFloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

import org.commvq.cache.ModelShape;
import org.commvq.tornado.kernels.ChunkedAttention;
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

        /**
         * Adds the attention of q over tokens 0..position[0] into out, in three tasks named {@code <task>Logits},
         * {@code <task>Values} and {@code <task>Combine} ({@link ChunkedAttention}) with their launch shapes.
         */
        void addAttend(LayerTasks t, String task, KernelContext ctx, FloatArray q, FloatArray out,
                       FloatArray scores, DenseChunks chunks, IntArray position);

        /** Launch shapes of the three attention tasks. */
        default void attendGrids(LayerTasks t, String task, DenseChunks chunks) {
            ModelShape shape = t.shape();
            ChunkedAttention.check(shape.heads(), shape.kvHeads(), shape.headDim(), chunks.chunk());
            long pairs = (long) capacity() * shape.kvHeads();
            t.grid(task + "Logits", Grids.perElement((int) Math.min(pairs, 1 << 20), t.groupSize()));
            t.grid(task + "Values", Grids.perGroup(chunks.chunks() * shape.kvHeads(), shape.headDim()));
            t.grid(task + "Combine", Grids.perGroup(shape.heads(), t.groupSize()));
        }

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
            addAttend(t, "attend", ctx, s.q(), s.att(), s.scores(), s.denseChunks(), step.position());
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
        public void addAttend(LayerTasks t, String task, KernelContext ctx, FloatArray q, FloatArray out,
                              FloatArray scores, DenseChunks c, IntArray position) {
            ModelShape s = t.shape();
            float scale = (float) (1.0 / Math.sqrt(s.headDim()));
            TaskGraph g = t.graph();
            g.task(t.name(task + "Logits"), ChunkedAttention::logitsF32, ctx, q, keys, scores, position, s.heads(),
                    s.kvHeads(), s.headDim(), capacity, scale);
            g.task(t.name(task + "Values"), ChunkedAttention::valuesF32, ctx, scores, values, c.chunkMax(),
                    c.chunkSum(), c.chunkAcc(), position, s.heads(), s.kvHeads(), s.headDim(), c.chunk(), capacity);
            g.task(t.name(task + "Combine"), ChunkedAttention::combine, ctx, c.chunkMax(), c.chunkSum(), c.chunkAcc(),
                    out, position, s.heads(), s.headDim(), c.chunk());
            attendGrids(t, task, c);
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
        public void addAttend(LayerTasks t, String task, KernelContext ctx, FloatArray q, FloatArray out,
                              FloatArray scores, DenseChunks c, IntArray position) {
            ModelShape s = t.shape();
            float scale = (float) (1.0 / Math.sqrt(s.headDim()));
            TaskGraph g = t.graph();
            g.task(t.name(task + "Logits"), ChunkedAttention::logitsF16, ctx, q, keys, scores, position, s.heads(),
                    s.kvHeads(), s.headDim(), capacity, scale);
            g.task(t.name(task + "Values"), ChunkedAttention::valuesF16, ctx, scores, values, c.chunkMax(),
                    c.chunkSum(), c.chunkAcc(), position, s.heads(), s.kvHeads(), s.headDim(), c.chunk(), capacity);
            g.task(t.name(task + "Combine"), ChunkedAttention::combine, ctx, c.chunkMax(), c.chunkSum(), c.chunkAcc(),
                    out, position, s.heads(), s.headDim(), c.chunk());
            attendGrids(t, task, c);
        }
    }
}
