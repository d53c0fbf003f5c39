package org.commvq.tornado.plan;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.HalfFloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

import org.commvq.tornado.kernels.MatVec;

/** A weight matrix in one of the device layouts, able to add its own matrix-vector task to a graph. */
public sealed interface DeviceMatrix {
    int rows();

    int cols();

    /** The arrays to copy to the device once (FIRST_EXECUTION). */
    Object[] arrays();

    /**
     * Adds {@code out = W·x} as task {@code task} for work-groups of groupSize; launch it with {@link #grid}(rows,
     * groupSize).
     */
    TaskGraph matVec(TaskGraph graph, String task, KernelContext ctx, FloatArray x, FloatArray out, int groupSize);

    /** Adds {@code acc += W·x}, launched like {@link #matVec}. */
    TaskGraph matVecAdd(TaskGraph graph, String task, KernelContext ctx, FloatArray x, FloatArray acc,
                        int groupSize);

    /**
     * Adds {@code out = silu(W·x) ⊙ (up·x)} with this matrix as the gate, launched like {@link #matVec}; up has this
     * matrix's layout and shape.
     */
    TaskGraph gateUp(TaskGraph graph, String task, KernelContext ctx, DeviceMatrix up, FloatArray x, FloatArray out,
                     int groupSize);

    /**
     * Adds q, k, v = this·x, wk·x, wv·x as one task with this matrix as Wq; wk and wv have its layout and width.
     * Launch it with {@link #grid}(rows + wk.rows + wv.rows, groupSize).
     */
    TaskGraph qkv(TaskGraph graph, String task, KernelContext ctx, DeviceMatrix wk, DeviceMatrix wv, FloatArray x,
                  FloatArray q, FloatArray k, FloatArray v, int groupSize);

    /**
     * The launch shape of one of this matrix's tasks over {@code taskRows} rows (qkv: the three matrices' rows); by
     * default a work-group per row.
     */
    default WorkerGrid grid(int taskRows, int groupSize) {
        return Grids.perGroup(taskRows, groupSize);
    }

    record F32(FloatArray weights, int rows, int cols) implements DeviceMatrix {
        @Override
        public Object[] arrays() {
            return new Object[] {weights};
        }

        @Override
        public TaskGraph matVec(TaskGraph graph, String task, KernelContext ctx, FloatArray x, FloatArray out,
                                int groupSize) {
            return graph.task(task, MatVec::f32, ctx, out, weights, x, cols);
        }

        @Override
        public TaskGraph matVecAdd(TaskGraph graph, String task, KernelContext ctx, FloatArray x, FloatArray acc,
                                   int groupSize) {
            return graph.task(task, MatVec::f32Add, ctx, acc, weights, x, cols);
        }

        @Override
        public TaskGraph gateUp(TaskGraph graph, String task, KernelContext ctx, DeviceMatrix up, FloatArray x,
                                FloatArray out, int groupSize) {
            return graph.task(task, MatVec::f32GateUp, ctx, out, weights, ((F32) up).weights, x, cols);
        }

        @Override
        public TaskGraph qkv(TaskGraph graph, String task, KernelContext ctx, DeviceMatrix wk, DeviceMatrix wv,
                             FloatArray x, FloatArray q, FloatArray k, FloatArray v, int groupSize) {
            return graph.task(task, MatVec::f32Qkv, ctx, q, k, v, weights, ((F32) wk).weights, ((F32) wv).weights, x,
                    cols, rows, wk.rows());
        }
    }

    record F16(HalfFloatArray weights, int rows, int cols) implements DeviceMatrix {
        @Override
        public Object[] arrays() {
            return new Object[] {weights};
        }

        @Override
        public TaskGraph matVec(TaskGraph graph, String task, KernelContext ctx, FloatArray x, FloatArray out,
                                int groupSize) {
            return graph.task(task, MatVec::f16, ctx, out, weights, x, cols);
        }

        @Override
        public TaskGraph matVecAdd(TaskGraph graph, String task, KernelContext ctx, FloatArray x, FloatArray acc,
                                   int groupSize) {
            return graph.task(task, MatVec::f16Add, ctx, acc, weights, x, cols);
        }

        @Override
        public TaskGraph gateUp(TaskGraph graph, String task, KernelContext ctx, DeviceMatrix up, FloatArray x,
                                FloatArray out, int groupSize) {
            return graph.task(task, MatVec::f16GateUp, ctx, out, weights, ((F16) up).weights, x, cols);
        }

        @Override
        public TaskGraph qkv(TaskGraph graph, String task, KernelContext ctx, DeviceMatrix wk, DeviceMatrix wv,
                             FloatArray x, FloatArray q, FloatArray k, FloatArray v, int groupSize) {
            return graph.task(task, MatVec::f16Qkv, ctx, q, k, v, weights, ((F16) wk).weights, ((F16) wv).weights, x,
                    cols, rows, wk.rows());
        }
    }

    /** Quants packed four to an int ({@link MatVec#q8}), {@link MatVec#q8RowThreads} threads per row. */
    record Q8(IntArray quants, FloatArray scales, int rows, int cols) implements DeviceMatrix {
        @Override
        public Object[] arrays() {
            return new Object[] {quants, scales};
        }

        @Override
        public TaskGraph matVec(TaskGraph graph, String task, KernelContext ctx, FloatArray x, FloatArray out,
                                int groupSize) {
            return graph.task(task, MatVec::q8, ctx, out, quants, scales, x, cols, rows,
                    rowThreads(groupSize));
        }

        @Override
        public TaskGraph matVecAdd(TaskGraph graph, String task, KernelContext ctx, FloatArray x, FloatArray acc,
                                   int groupSize) {
            return graph.task(task, MatVec::q8Add, ctx, acc, quants, scales, x, cols, rows,
                    rowThreads(groupSize));
        }

        @Override
        public TaskGraph gateUp(TaskGraph graph, String task, KernelContext ctx, DeviceMatrix up, FloatArray x,
                                FloatArray out, int groupSize) {
            Q8 u = (Q8) up;
            return graph.task(task, MatVec::q8GateUp, ctx, out, quants, scales, u.quants, u.scales, x, cols, rows,
                    rowThreads(groupSize));
        }

        @Override
        public TaskGraph qkv(TaskGraph graph, String task, KernelContext ctx, DeviceMatrix wk, DeviceMatrix wv,
                             FloatArray x, FloatArray q, FloatArray k, FloatArray v, int groupSize) {
            Q8 key = (Q8) wk;
            Q8 value = (Q8) wv;
            return graph.task(task, MatVec::q8Qkv, ctx, q, k, v, quants, scales, key.quants, key.scales, value.quants,
                    value.scales, x, cols, rows, wk.rows(), rowThreads(groupSize));
        }

        @Override
        public WorkerGrid grid(int taskRows, int groupSize) {
            return Grids.perGroup(MatVec.q8Groups(taskRows, rowThreads(groupSize), groupSize), groupSize);
        }

        /** Threads per row, the same for a task and its launch shape: both depend on this matrix's own shape. */
        private int rowThreads(int groupSize) {
            return MatVec.q8RowThreads(rows, cols, groupSize);
        }
    }
}
