package org.commvq.tornado.plan;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.commvq.cache.ModelShape;
import org.commvq.model.tensor.WeightMatrix;
import org.commvq.tornado.kernels.Norms;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The model's last graph: final RMSNorm and the output head on the residual stream the last layer left on the
 * device; only the logits come back to the host. The head's weights stay resident like the layers'.
 */
public final class HeadPlan {
    private final TaskGraph graph;
    private final FloatArray logits;
    private final GridScheduler grids = new GridScheduler();

    private final String name;

    public HeadPlan(String name, ModelShape shape, String previousGraph, FloatArray x, float[] outputNorm, WeightMatrix output,
                    WeightFormat format, int groupSize, DeviceMemoryBudget budget) {
        this.name = name;
        int dim = shape.dim();
        FloatArray norm = budget.floats("head.outputNorm", dim);
        MemorySegment.copy(outputNorm, 0, norm.getSegment(), ValueLayout.JAVA_FLOAT, 0, dim);
        DeviceMatrix head = WeightUpload.upload(output, format, "head.output", budget);
        FloatArray xb = budget.floats("head.xb", dim);
        this.logits = budget.floats("head.logits", shape.vocab());
        KernelContext ctx = new KernelContext();

        TaskGraph g = new TaskGraph(name);
        g.consumeFromDevice(previousGraph, x);
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, norm);
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, head.arrays());
        g.transferToDevice(DataTransferMode.FIRST_EXECUTION, xb, logits);
        g.task("outputNorm", Norms::rmsNorm, ctx, xb, x, norm, dim, shape.rmsEps());
        grids.addWorkerGrid(name + ".outputNorm", Grids.single(groupSize));
        head.matVec(g, "output", ctx, xb, logits, groupSize);
        grids.addWorkerGrid(name + ".output", head.grid(head.rows(), groupSize));
        g.transferToHost(DataTransferMode.EVERY_EXECUTION, logits);
        this.graph = g;
    }

    public ImmutableTaskGraph snapshot() {
        return graph.snapshot();
    }

    public void addGridsTo(GridScheduler scheduler) {
        for (String task : grids.keySet()) {
            scheduler.addWorkerGrid(task, grids.get(task));
        }
    }

    /** The logits of the last execute, copied to a Java array. */
    public float[] logits() {
        return logits.toHeapArray();
    }
}
