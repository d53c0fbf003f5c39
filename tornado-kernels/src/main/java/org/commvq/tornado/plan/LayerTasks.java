package org.commvq.tornado.plan;

import org.commvq.cache.ModelShape;
import org.commvq.tornado.kernels.GroupReduce;
import org.commvq.tornado.kernels.Norms;
import org.commvq.tornado.kernels.Rope;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The tasks of one transformer block for one decode token, added to a graph under a task-name prefix, with their
 * launch shapes. Data transfers are the graph's ({@link LayerGroupPlan}), which may hold several blocks.
 * <pre>
 *  x (residual stream) ─┬───────────────────────────────────────────────────────────────────┐
 *                       ▼                                                                   │
 *              rmsnorm(attnNorm) ─► xb                                                      │
 *          ┌────────────┼───────────────────────┐     (one task over the stacked rows)      │
 *          ▼            ▼                       ▼                                           │
 *     Wq·xb ─► q   Wk·xb ─► k          Wv·xb ─► v                                           │
 *          ▼            └──────────┬────────────┘                                           │
 *      rope(q)           the cache's tasks (DeviceKvLayer.addAttention): dense F32|F16 rope │
 *          │             k, append, chunked attention; CommVQ encode, tail, code-domain     │
 *          └──────────►  attention; cache resident, never copied back ─► att                │
 *                                                               ▼                           │
 *                                                             x += Wo·att ◄─────────────────┘
 *  x ─┬─────────────────────────────────────────────────────────────────────────────────────┐
 *     ▼                                                                                     │
 *   rmsnorm(ffnNorm) ─► xb ─► gate = silu(Wgate·xb) ⊙ (Wup·xb)     (one task)               │
 *                                                                 ▼                         │
 *                                                           x += Wdown·gate ◄───────────────┘
 * </pre>
 * The residual adds and SwiGLU ride in the matrix-vector tasks: TornadoVM's host cost per task is close to what a
 * small kernel takes on the device.
 */
final class LayerTasks {
    private final TaskGraph graph;
    private final String graphName;
    private final String prefix;
    private final GridScheduler grids;
    private final int groupSize;
    private final ModelShape shape;

    private LayerTasks(TaskGraph graph, String graphName, String prefix, GridScheduler grids, int groupSize,
                       ModelShape shape) {
        this.graph = graph;
        this.graphName = graphName;
        this.prefix = prefix;
        this.grids = grids;
        this.groupSize = groupSize;
        this.shape = shape;
    }

    /** Tasks added straight to a graph without a layer prefix, for tests of one cache's tasks. */
    static LayerTasks unprefixed(TaskGraph graph, GridScheduler grids, int groupSize, ModelShape shape) {
        return new LayerTasks(graph, graph.getTaskGraphName(), "", grids, groupSize, shape);
    }

    /** Checks the shapes the kernels depend on; throws IllegalArgumentException naming the layer. */
    static void check(ModelShape shape, int layer, DeviceKvLayer cache, DecodeStep step, int groupSize) {
        Grids.checkedGroup(groupSize);
        if (shape.headDim() > GroupReduce.MAX_GROUP) {
            throw new IllegalArgumentException("head_dim " + shape.headDim()
                    + " exceeds the attention kernel's limit of " + GroupReduce.MAX_GROUP);
        }
        if (cache.capacity() != step.capacity() || cache.kvDim() != shape.kvDim()) {
            throw new IllegalArgumentException("layer " + layer + " cache is " + cache.capacity() + "x" + cache.kvDim()
                    + " but the step expects " + step.capacity() + "x" + shape.kvDim());
        }
    }

    /**
     * Adds the block's tasks, named {@code prefix + step} (e.g. "attnNorm", or "l3_attnNorm" in a graph of several
     * layers); their launch shapes go into grids under {@code graphName.taskName}.
     */
    static void add(TaskGraph graph, String graphName, String prefix, GridScheduler grids, ModelShape shape,
                    DeviceLayer weights, DeviceKvLayer cache, DecodeStep step, LayerScratch s, int groupSize) {
        new LayerTasks(graph, graphName, prefix, grids, groupSize, shape).add(shape, weights, cache, step, s);
    }

    private void add(ModelShape shape, DeviceLayer weights, DeviceKvLayer cache, DecodeStep step, LayerScratch s) {
        int dim = shape.dim();
        int pairs = shape.headDim() / 2;
        FloatArray x = step.x();
        KernelContext ctx = new KernelContext();

        graph.task(prefix + "attnNorm", Norms::rmsNorm, ctx, s.xb(), x, weights.attnNorm(), dim, shape.rmsEps());
        grid("attnNorm", Grids.single(groupSize));
        weights.wq().qkv(graph, prefix + "qkv", ctx, weights.wk(), weights.wv(), s.xb(), s.q(), s.k(), s.v(),
                groupSize);
        grid("qkv", weights.wq().grid(weights.wq().rows() + 2 * weights.wk().rows(), groupSize));
        graph.task(prefix + "ropeQ", Rope::rotatePairs, ctx, s.q(), step.cos(), step.sin(), shape.heads(), pairs);
        grid("ropeQ", Grids.perElement(shape.heads() * pairs, groupSize));
        cache.addAttention(this, ctx, s, step);
        weights.wo().matVecAdd(graph, prefix + "woResidual", ctx, s.att(), x, groupSize);
        grid("woResidual", weights.wo().grid(dim, groupSize));

        graph.task(prefix + "ffnNorm", Norms::rmsNorm, ctx, s.xb(), x, weights.ffnNorm(), dim, shape.rmsEps());
        grid("ffnNorm", Grids.single(groupSize));
        weights.wGate().gateUp(graph, prefix + "gateUp", ctx, weights.wUp(), s.xb(), s.gate(), groupSize);
        grid("gateUp", weights.wGate().grid(shape.ffnDim(), groupSize));
        weights.wDown().matVecAdd(graph, prefix + "downResidual", ctx, s.gate(), x, groupSize);
        grid("downResidual", weights.wDown().grid(dim, groupSize));
    }

    /** The graph the block's tasks go into; a task added by a cache is named with {@link #name}. */
    TaskGraph graph() {
        return graph;
    }

    /** The graph-unique name of one of the block's tasks. */
    String name(String task) {
        return prefix + task;
    }

    /** Sets the launch shape of a task named with {@link #name}(task). */
    void grid(String task, WorkerGrid grid) {
        grids.addWorkerGrid(graphName + "." + prefix + task, grid);
    }

    ModelShape shape() {
        return shape;
    }

    int groupSize() {
        return groupSize;
    }
}
