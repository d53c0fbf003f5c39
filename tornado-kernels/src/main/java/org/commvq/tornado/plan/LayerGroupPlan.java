package org.commvq.tornado.plan;

import java.util.List;

import org.commvq.cache.ModelShape;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Consecutive transformer blocks for one decode token as one TaskGraph (each block's tasks: {@link LayerTasks}),
 * sharing one set of activations since they run in order. Fewer graphs mean fewer executes, and each execute costs a
 * host-side dispatch and a synchronisation; but TornadoVM 5.2 records a graph's tasks in a fixed 8 KB buffer
 * (TornadoTaskGraph.highLevelCode), which overflowed between 8 and 16 blocks of 19 tasks, so a group holds at most
 * {@link #MAX_LAYERS} blocks (they now have 11 tasks with a dense cache), and at most {@link #MAX_COMMVQ_LAYERS} with
 * CommVQ caches, whose 17 arrays per block made 8 blocks fail in TornadoVM ("Tornado Graph resize not implemented
 * yet") on the H100.
 * Weights and KV caches are copied to the device once (FIRST_EXECUTION); per step only position, cos and sin go in;
 * x comes from the host or from the previous graph (consumeFromDevice), and goes to the host or stays for the next.
 * Task names are {@code <graph>.l<layer>_<step>}, e.g. {@code plan1_layers4.l5_wq}.
 */
public final class LayerGroupPlan {
    public static final int MAX_LAYERS = 8;
    public static final int MAX_COMMVQ_LAYERS = 4;

    /** The most blocks one graph may hold with this kind of cache. */
    public static int maxLayers(DeviceCacheSpec cache) {
        return cache instanceof DeviceCacheSpec.CommVq ? MAX_COMMVQ_LAYERS : MAX_LAYERS;
    }
    private final String name;
    private final TaskGraph graph;
    private final GridScheduler grids = new GridScheduler();

    /**
     * @param previous the graph that leaves x on the device, or null to copy x in from the host
     * @param toHost   copy x back to the host after the last block, rather than keep it for the next graph
     */
    public LayerGroupPlan(String name, ModelShape shape, int firstLayer, List<DeviceLayer> weights,
                          List<DeviceKvLayer> caches, DecodeStep step, String previous, boolean toHost, int groupSize,
                          DeviceMemoryBudget budget) {
        if (weights.isEmpty() || weights.size() > MAX_LAYERS || weights.size() != caches.size()) {
            throw new IllegalArgumentException("a layer group holds 1 to " + MAX_LAYERS + " layers with one cache each,"
                    + " got " + weights.size() + " layers and " + caches.size() + " caches");
        }
        for (int i = 0; i < weights.size(); i++) {
            LayerTasks.check(shape, firstLayer + i, caches.get(i), step, groupSize);
        }
        this.name = name;
        budget.reserve(name + ".stepInputs", step.perGraphBytes());
        int commVqCodeBits = caches.getFirst() instanceof DeviceCommVqLayer c ? c.codeBits() : 0;
        LayerScratch scratch = LayerScratch.allocate(name, shape, step.capacity(), commVqCodeBits, budget);
        FloatArray x = step.x();

        TaskGraph g = new TaskGraph(name);
        if (previous == null) {
            g.transferToDevice(DataTransferMode.EVERY_EXECUTION, x);
        } else {
            g.consumeFromDevice(previous, x);
        }
        g.transferToDevice(DataTransferMode.EVERY_EXECUTION, step.position(), step.cos(), step.sin());
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, scratch.arrays());
        for (int i = 0; i < weights.size(); i++) {
            g.transferToDevice(DataTransferMode.FIRST_EXECUTION, weights.get(i).arrays());
            g.transferToDevice(DataTransferMode.FIRST_EXECUTION, caches.get(i).arrays());
            LayerTasks.add(g, name, "l" + (firstLayer + i) + "_", grids, shape, weights.get(i), caches.get(i), step,
                    scratch, groupSize);
        }
        if (toHost) {
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

    /** Launch shapes of this group's tasks, keyed {@code graph.task}. */
    public GridScheduler grids() {
        return grids;
    }

    public void addGridsTo(GridScheduler scheduler) {
        for (String task : grids.keySet()) {
            scheduler.addWorkerGrid(task, grids.get(task));
        }
    }
}
