package org.commvq.tornado.plan;

import org.commvq.cache.ModelShape;
import org.commvq.tornado.kernels.Activations;
import org.commvq.tornado.kernels.GroupReduce;
import org.commvq.tornado.kernels.Norms;
import org.commvq.tornado.kernels.Rope;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * One transformer block for one decode token as one TaskGraph: a single execute runs the whole block, which is what
 * removes most of the per-execute overhead measured on the GPU. Weights and the KV cache are copied to the device
 * once (FIRST_EXECUTION); the intermediate activations never leave it; per step only position, cos and sin go in, and
 * x goes in or out only where {@link ResidualEdges} says so.
 * <pre>
 *  x (residual stream) ─┬───────────────────────────────────────────────────────────────────┐
 *                       ▼                                                                   │
 *              rmsnorm(attnNorm) ─► xb                                                      │
 *          ┌────────────┼───────────────────────┐                                           │
 *          ▼            ▼                       ▼                                           │
 *     Wq·xb ─► q   Wk·xb ─► k          Wv·xb ─► v                                           │
 *          ▼            ▼                       │                                           │
 *      rope(q)      rope(k) ──► append at pos ◄─┘ ─► K,V cache [capacity][kvDim], F32|F16   │
 *          │                                             │   (resident, never copied back)  │
 *          └──────► attention(q, cache[0..pos]) ◄────────┘ ─► att                           │
 *                                                               ▼                           │
 *                                                   Wo·att ─► proj ─► x += proj ◄───────────┘
 *  x ─┬─────────────────────────────────────────────────────────────────────────────────────┐
 *     ▼                                                                                     │
 *   rmsnorm(ffnNorm) ─► xb ─┬─► Wgate·xb ─► gate ─┐                                         │
 *                           └─► Wup·xb ───► up ───┴─► swiglu ─► gate                        │
 *                                                                 ▼                         │
 *                                                   Wdown·gate ─► proj ─► x += proj ◄───────┘
 * </pre>
 * Task names are {@code layer<l>.<step>}; {@link #grids()} holds the launch shape of each. Run the layers of a step
 * in order with {@code plan.withGraph(l).execute()}: in TornadoVM 5.2.0, {@code withAllGraphs().execute()} fails
 * with a NullPointerException in its allocation step when a graph persists a buffer for the next one.
 */
public final class LayerPlan {
    private final String name;
    private final TaskGraph graph;
    private final GridScheduler grids = new GridScheduler();

    public LayerPlan(ModelShape shape, int layer, DeviceLayer weights, DeviceKvLayer cache, DecodeStep step,
                     ResidualEdges edges, int groupSize, DeviceMemoryBudget budget) {
        Grids.checkedGroup(groupSize);
        if (shape.headDim() > GroupReduce.MAX_GROUP) {
            throw new IllegalArgumentException("head_dim " + shape.headDim()
                    + " exceeds the attention kernel's limit of " + GroupReduce.MAX_GROUP);
        }
        if (cache.capacity() != step.capacity() || cache.kvDim() != shape.kvDim()) {
            throw new IllegalArgumentException("layer " + layer + " cache is " + cache.capacity() + "x" + cache.kvDim()
                    + " but the step expects " + step.capacity() + "x" + shape.kvDim());
        }
        this.name = "layer" + layer;
        int dim = shape.dim();
        int pairs = shape.headDim() / 2;
        budget.reserve(name + ".stepInputs", step.perGraphBytes());
        FloatArray xb = budget.floats(name + ".xb", dim);
        FloatArray q = budget.floats(name + ".q", shape.queryDim());
        FloatArray k = budget.floats(name + ".k", shape.kvDim());
        FloatArray v = budget.floats(name + ".v", shape.kvDim());
        FloatArray att = budget.floats(name + ".att", shape.queryDim());
        FloatArray scores = budget.floats(name + ".scores", (long) shape.heads() * cache.capacity());
        FloatArray proj = budget.floats(name + ".proj", dim);
        FloatArray gate = budget.floats(name + ".gate", shape.ffnDim());
        FloatArray up = budget.floats(name + ".up", shape.ffnDim());
        FloatArray x = step.x();
        KernelContext ctx = new KernelContext();
        float scale = (float) (1.0 / Math.sqrt(shape.headDim()));

        TaskGraph g = new TaskGraph(name);
        if (edges.fromHost()) {
            g.transferToDevice(DataTransferMode.EVERY_EXECUTION, x);
        } else {
            g.consumeFromDevice("layer" + (layer - 1), x);
        }
        g.transferToDevice(DataTransferMode.EVERY_EXECUTION, step.position(), step.cos(), step.sin());
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, weights.arrays());
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, cache.arrays());
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, xb, q, k, v, att, scores, proj, gate, up);

        g.task("attnNorm", Norms::rmsNorm, ctx, xb, x, weights.attnNorm(), dim, shape.rmsEps());
        grid("attnNorm", Grids.single(groupSize));
        matVec(g, "wq", weights.wq(), ctx, xb, q, groupSize);
        matVec(g, "wk", weights.wk(), ctx, xb, k, groupSize);
        matVec(g, "wv", weights.wv(), ctx, xb, v, groupSize);
        g.task("ropeQ", Rope::rotatePairs, ctx, q, step.cos(), step.sin(), shape.heads(), pairs);
        grid("ropeQ", Grids.perElement(shape.heads() * pairs, groupSize));
        g.task("ropeK", Rope::rotatePairs, ctx, k, step.cos(), step.sin(), shape.kvHeads(), pairs);
        grid("ropeK", Grids.perElement(shape.kvHeads() * pairs, groupSize));
        cache.append(g, "append", ctx, k, v, step.position());
        grid("append", Grids.perElement(shape.kvDim(), groupSize));
        cache.attend(g, "attend", ctx, q, att, scores, step.position(), shape.headDim(), shape.groupSize(), scale);
        grid("attend", Grids.perGroup(shape.heads(), groupSize));
        matVec(g, "wo", weights.wo(), ctx, att, proj, groupSize);
        g.task("attnResidual", Activations::add, ctx, x, proj, dim);
        grid("attnResidual", Grids.perElement(dim, groupSize));

        g.task("ffnNorm", Norms::rmsNorm, ctx, xb, x, weights.ffnNorm(), dim, shape.rmsEps());
        grid("ffnNorm", Grids.single(groupSize));
        matVec(g, "wGate", weights.wGate(), ctx, xb, gate, groupSize);
        matVec(g, "wUp", weights.wUp(), ctx, xb, up, groupSize);
        g.task("swiGlu", Activations::swiGlu, ctx, gate, up, shape.ffnDim());
        grid("swiGlu", Grids.perElement(shape.ffnDim(), groupSize));
        matVec(g, "wDown", weights.wDown(), ctx, gate, proj, groupSize);
        g.task("ffnResidual", Activations::add, ctx, x, proj, dim);
        grid("ffnResidual", Grids.perElement(dim, groupSize));

        if (edges.toHost()) {
            g.transferToHost(DataTransferMode.EVERY_EXECUTION, x);
        } else {
            g.persistOnDevice(x);
        }
        this.graph = g;
    }

    public String name() {
        return name;
    }

    public ImmutableTaskGraph snapshot() {
        return graph.snapshot();
    }

    /** Launch shapes of this layer's tasks; merge several layers' into one scheduler with {@link #addGridsTo}. */
    public GridScheduler grids() {
        return grids;
    }

    public void addGridsTo(GridScheduler scheduler) {
        for (String task : grids.keySet()) {
            scheduler.addWorkerGrid(task, grids.get(task));
        }
    }

    private void matVec(TaskGraph g, String task, DeviceMatrix w, KernelContext ctx, FloatArray in, FloatArray out,
                        int groupSize) {
        w.matVec(g, task, ctx, in, out);
        grid(task, Grids.perGroup(w.rows(), groupSize));
    }

    private void grid(String task, WorkerGrid grid) {
        grids.addWorkerGrid(name + "." + task, grid);
    }
}
