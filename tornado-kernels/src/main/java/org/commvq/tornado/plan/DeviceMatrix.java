package org.commvq.tornado.plan;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.HalfFloatArray;

import org.commvq.tornado.kernels.MatVec;

/** A weight matrix in one of the device layouts, able to add its own matrix-vector task to a graph. */
public sealed interface DeviceMatrix {
    int rows();

    int cols();

    /** The arrays to copy to the device once (FIRST_EXECUTION). */
    Object[] arrays();

    /** Adds {@code out = W·x} as task {@code task}; launch it with {@link Grids#perGroup}(rows, group size). */
    TaskGraph matVec(TaskGraph graph, String task, KernelContext ctx, FloatArray x, FloatArray out);

    record F32(FloatArray weights, int rows, int cols) implements DeviceMatrix {
        @Override
        public Object[] arrays() {
            return new Object[] {weights};
        }

        @Override
        public TaskGraph matVec(TaskGraph graph, String task, KernelContext ctx, FloatArray x, FloatArray out) {
            return graph.task(task, MatVec::f32, ctx, out, weights, x, cols);
        }
    }

    record F16(HalfFloatArray weights, int rows, int cols) implements DeviceMatrix {
        @Override
        public Object[] arrays() {
            return new Object[] {weights};
        }

        @Override
        public TaskGraph matVec(TaskGraph graph, String task, KernelContext ctx, FloatArray x, FloatArray out) {
            return graph.task(task, MatVec::f16, ctx, out, weights, x, cols);
        }
    }

    record Q8(ByteArray quants, FloatArray scales, int rows, int cols) implements DeviceMatrix {
        @Override
        public Object[] arrays() {
            return new Object[] {quants, scales};
        }

        @Override
        public TaskGraph matVec(TaskGraph graph, String task, KernelContext ctx, FloatArray x, FloatArray out) {
            return graph.task(task, MatVec::q8, ctx, out, quants, scales, x, cols);
        }
    }
}
