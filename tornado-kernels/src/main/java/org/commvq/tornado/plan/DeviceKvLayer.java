package org.commvq.tornado.plan;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.HalfFloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

import org.commvq.tornado.kernels.Attention;
import org.commvq.tornado.kernels.KvAppend;

/**
 * One layer's keys (post-RoPE) and values on the device, {@code [capacity][kvDim]} each, with the tasks that append a
 * token and attend over the stored ones. Its arrays stay on the device: they are copied there once and never back.
 */
public sealed interface DeviceKvLayer {
    int capacity();

    int kvDim();

    Object[] arrays();

    /** Stores k and v at position[0]; launch with {@link Grids#perElement}(kvDim, group size). */
    TaskGraph append(TaskGraph graph, String task, KernelContext ctx, FloatArray k, FloatArray v, IntArray position);

    /** Attention of q over tokens 0..position[0]; launch with {@link Grids#perGroup}(heads, group size). */
    TaskGraph attend(TaskGraph graph, String task, KernelContext ctx, FloatArray q, FloatArray out,
                     FloatArray scores, IntArray position, int headDim, int groupSize, float scale);

    static DeviceKvLayer allocate(KvPrecision precision, String name, int capacity, int kvDim,
                                  DeviceMemoryBudget budget) {
        long elements = (long) capacity * kvDim;
        return switch (precision) {
            case F32 -> new F32(budget.floats(name + ".keys", elements), budget.floats(name + ".values", elements),
                    capacity, kvDim);
            case F16 -> new F16(budget.halves(name + ".keys", elements), budget.halves(name + ".values", elements),
                    capacity, kvDim);
        };
    }

    record F32(FloatArray keys, FloatArray values, int capacity, int kvDim) implements DeviceKvLayer {
        @Override
        public Object[] arrays() {
            return new Object[] {keys, values};
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

    record F16(HalfFloatArray keys, HalfFloatArray values, int capacity, int kvDim) implements DeviceKvLayer {
        @Override
        public Object[] arrays() {
            return new Object[] {keys, values};
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
