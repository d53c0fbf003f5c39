package org.commvq.tornado.plan;

import java.util.List;

import org.commvq.cache.ModelShape;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;

/**
 * One transformer block for one decode token as its own TaskGraph {@code <plan>layer<l>}: a {@link LayerGroupPlan} of one
 * layer whose x edges follow {@link ResidualEdges}. A single execute runs the whole block. Run the layers of a step
 * in order with {@code plan.withGraph(l).execute()}: in TornadoVM 5.2.0, {@code withAllGraphs().execute()} fails
 * with a NullPointerException in its allocation step when a graph persists a buffer for the next one.
 */
public final class LayerPlan {
    private final LayerGroupPlan group;

    /** @param plan a prefix shared by the layers of one plan and by no other plan in the JVM (see ModelPlan) */
    public LayerPlan(String plan, ModelShape shape, int layer, DeviceLayer weights, DeviceKvLayer cache,
                     DecodeStep step, ResidualEdges edges, int groupSize, DeviceMemoryBudget budget) {
        this.group = new LayerGroupPlan(plan + "layer" + layer, shape, layer, List.of(weights), List.of(cache), step,
                edges.fromHost() ? null : plan + "layer" + (layer - 1), edges.toHost(), groupSize, budget);
    }

    public String name() {
        return group.name();
    }

    public ImmutableTaskGraph snapshot() {
        return group.snapshot();
    }

    /** Launch shapes of this layer's tasks; merge several layers' into one scheduler with {@link #addGridsTo}. */
    public GridScheduler grids() {
        return group.grids();
    }

    public void addGridsTo(GridScheduler scheduler) {
        group.addGridsTo(scheduler);
    }
}
