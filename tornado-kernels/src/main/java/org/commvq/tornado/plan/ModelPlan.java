package org.commvq.tornado.plan;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.commvq.cache.ModelShape;
import org.commvq.model.forward.LlamaWeights;
import org.commvq.model.tensor.WeightMatrix;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.exceptions.TornadoExecutionPlanException;

/**
 * A whole decode step on the device, in one execution plan: the layers cut into graphs of up to
 * {@link LayerGroupPlan#maxLayers} consecutive blocks, then the head graph. The host does only the embedding lookup
 * (one row of the table, which never goes to the device) and reads back the logits.
 * <pre>
 *  host                                   device: weights, K/V caches, activations resident
 *  ────                                   ─────────────────────────────────────────────────────────────────────
 *  token ─► embedding row ─► x ─copy─►  layers0 [blocks 0..k−1] ─► layers<k> [blocks k..2k−1] ─► … ─► head ─┐
 *  pos ─► position, cos, sin ─copy─►      │  K,V per block            │  K,V per block          rmsnorm  │
 *         (into every layer graph)        └─ one activation set ─┘    └─ one activation set ─┘  Wout·x   │
 *  logits ◄─copy─────────────────────────────────────────────────────────────────────────────────────────┘
 *  x is handed from graph to graph on the device (persistOnDevice / consumeFromDevice); k = layersPerGraph
 * </pre>
 * A prompt runs token by token through the same graphs; only its last token runs the head. Every device array is
 * counted by a {@link DeviceMemoryBudget} while the plan is built, so a model that does not fit is refused, with the
 * numbers, before the first execute allocates anything. The graphs of a step run one by one with
 * {@code withGraph(i).execute()} (see {@link LayerPlan} for why not {@code withAllGraphs()}).
 */
public final class ModelPlan implements AutoCloseable {
    /**
     * Numbers the plans of a JVM so their graphs never share a name: on the H100's PTX backend, a second plan whose
     * graphs and tasks repeated a first one's names ran stale kernels (seen in tests that open several plans).
     */
    private static final AtomicInteger PLANS = new AtomicInteger();
    private final ModelShape shape;
    private final WeightMatrix embedding;
    private final DecodeStep step;
    private final HeadPlan head;
    private final TornadoExecutionPlan plan;
    private final DeviceMemoryBudget budget;
    private final int layerGraphs;
    private final float[] row;
    private final List<DeviceKvLayer> caches = new ArrayList<>();
    private boolean executed;

    /**
     * @param layersPerGraph blocks per graph, 1 to {@link LayerGroupPlan#maxLayers}
     * @param device         the device to run on, or null for TornadoVM's default
     * @param cudaGraphs     record each graph's launches once as a CUDA graph and replay it (PTX devices only)
     */
    public ModelPlan(ModelShape shape, LlamaWeights weights, WeightFormat format, DeviceCacheSpec cache, int capacity,
                     int layersPerGraph, int groupSize, DeviceMemoryBudget budget, TornadoDevice device,
                     boolean cudaGraphs) {
        if (layersPerGraph < 1 || layersPerGraph > LayerGroupPlan.maxLayers(cache)) {
            throw new IllegalArgumentException("layers per graph must be 1 to " + LayerGroupPlan.maxLayers(cache)
                    + " with this cache, got " + layersPerGraph);
        }
        this.shape = shape;
        this.budget = budget;
        this.embedding = weights.tokenEmbedding();
        this.row = new float[shape.dim()];
        this.step = new DecodeStep(shape, capacity, budget);
        String prefix = "plan" + PLANS.incrementAndGet() + "_";
        GridScheduler grids = new GridScheduler();
        List<ImmutableTaskGraph> graphs = new ArrayList<>();
        String previous = null;
        for (int first = 0; first < shape.layers(); first += layersPerGraph) {
            int count = Math.min(layersPerGraph, shape.layers() - first);
            List<DeviceLayer> layerWeights = new ArrayList<>();
            List<DeviceKvLayer> caches = new ArrayList<>();
            for (int l = first; l < first + count; l++) {
                String name = "layer" + l;
                layerWeights.add(DeviceLayer.upload(weights.layers().get(l), format, name, budget));
                caches.add(cache.allocate(l, name + ".kv", capacity, shape, budget));
            }
            this.caches.addAll(caches);
            LayerGroupPlan group = new LayerGroupPlan(prefix + "layers" + first, shape, first, layerWeights, caches,
                    step, previous, false, groupSize, budget);
            graphs.add(group.snapshot());
            group.addGridsTo(grids);
            previous = group.name();
        }
        this.layerGraphs = graphs.size();
        this.head = new HeadPlan(prefix + "head", shape, previous, step.x(), weights.outputNorm(), weights.output(),
                format, groupSize, budget);
        head.addGridsTo(grids);
        graphs.add(head.snapshot());
        this.plan = new TornadoExecutionPlan(graphs.toArray(ImmutableTaskGraph[]::new));
        plan.withGridScheduler(grids);
        if (device != null) {
            plan.withDevice(device);
        }
        if (cudaGraphs) {
            plan.withCUDAGraph();
        }
    }

    /**
     * Runs one token at position pos through every layer, storing its keys and values; with {@code logits} also
     * runs the head and returns the logits, otherwise returns null.
     */
    public float[] decode(int token, int pos, boolean logits) {
        if (token < 0 || token >= shape.vocab()) {
            throw new IllegalArgumentException("token id " + token + " is outside the vocabulary of " + shape.vocab());
        }
        embedding.row(token, row, 0);
        MemorySegment.copy(row, 0, step.x().getSegment(), ValueLayout.JAVA_FLOAT, 0, row.length);
        step.moveTo(pos);
        executed = true;
        for (int g = 0; g < layerGraphs; g++) {
            plan.withGraph(g).execute();
        }
        if (!logits) {
            return null;
        }
        plan.withGraph(layerGraphs).execute();
        return head.logits();
    }

    public int capacity() {
        return step.capacity();
    }

    /**
     * Fills every layer's cache for positions [0, tokens) with seeded random contents before the first decode, which
     * copies the caches to the device; decoding then continues at position {@code tokens}.
     */
    public void fillSyntheticContext(int tokens, long seed) {
        if (executed) {
            throw new IllegalStateException("a synthetic context must be filled in before the first token");
        }
        if (tokens < 0 || tokens >= capacity()) {
            throw new IllegalArgumentException("--context " + tokens + " must leave room in --ctx-size "
                    + capacity());
        }
        for (int l = 0; l < caches.size(); l++) {
            caches.get(l).fillSynthetic(tokens, seed * 1000 + l * 10L);
        }
    }

    /** Graphs executed per decode step, the head included. */
    public int graphsPerStep() {
        return layerGraphs + 1;
    }

    /** Frees the plan's device memory and gives its host arrays back for reuse ({@link HostArrayPool}). */
    @Override
    public void close() {
        try {
            plan.close();
        } catch (TornadoExecutionPlanException e) {
            throw new IllegalStateException("could not free the device memory of the model plan: " + e.getMessage(),
                    e);
        } finally {
            budget.recycle();
        }
    }
}
