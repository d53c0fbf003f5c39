package org.commvq.tornado.testing;

import java.util.Random;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.exceptions.TornadoExecutionPlanException;

/** Small helpers shared by the kernel tests. */
public final class Kernels {
    private Kernels() {
    }

    /** Runs a graph of one task "t" once, with the given launch shape. */
    public static void runOnce(TaskGraph graph, WorkerGrid grid) {
        GridScheduler grids = new GridScheduler(graph.getTaskGraphName() + ".t", grid);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(graph.snapshot())) {
            plan.withGridScheduler(grids).execute();
        } catch (TornadoExecutionPlanException e) {
            throw new IllegalStateException(e);
        }
    }

    public static float[] uniform(Random random, int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (random.nextFloat() * 2 - 1) * scale;
        }
        return v;
    }
}
