package org.commvq.tornado.testing;

import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.exceptions.TornadoExecutionPlanException;

/** Small helpers shared by the kernel tests. */
public final class Kernels {
    private Kernels() {
    }

    private static final AtomicInteger GRAPHS = new AtomicInteger();

    /**
     * A graph name no other test in the JVM uses. On the H100's PTX backend, a test reusing another's graph and task
     * names with other sizes ran stale kernels when the tests shared a JVM; unique names keep every case apart.
     */
    public static String graphName(String base) {
        return base + GRAPHS.incrementAndGet();
    }

    /** Runs a graph of one task "t" once, with the given launch shape. */
    public static void runOnce(TaskGraph graph, WorkerGrid grid) {
        runOnce(graph, grid, "t");
    }

    /** Runs a graph once, every named task with the given launch shape. */
    public static void runOnce(TaskGraph graph, WorkerGrid grid, String... tasks) {
        GridScheduler grids = new GridScheduler();
        for (String task : tasks) {
            grids.addWorkerGrid(graph.getTaskGraphName() + "." + task, grid);
        }
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
