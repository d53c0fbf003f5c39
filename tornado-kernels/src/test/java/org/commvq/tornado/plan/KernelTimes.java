package org.commvq.tornado.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.commvq.cache.ModelShape;
import org.commvq.cache.RopeParameters;
import org.commvq.cache.commvq.CommVqSyntheticCodebooks;
import org.commvq.tornado.kernels.MatVec;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.enums.ProfilerMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Device time of single kernels at the LLaMA-3.1-8B shapes, from TornadoVM's profiler: the per-kernel numbers of
 * docs/results/h100-llama-3.1-8b. Not a test; run on a GPU machine with the SDK's JVM flags and the test classpath:
 * <pre>
 *   java @tornado-argfile -Dtornado.recover.bailout=false -Dtornado.tvm.maxbytecodesize=65536 \
 *        -cp tornado-kernels/target/test-classes:... org.commvq.tornado.plan.KernelTimes attention 130944 8
 *   ... org.commvq.tornado.plan.KernelTimes matvec 12
 * </pre>
 * {@code attention CONTEXT RUNS}: one layer's CommVQ tasks (1 bit, 11 key stages, seeded synthetic codebooks) after
 * CONTEXT positions of seeded cache contents. {@code matvec RUNS}: the Q8_0 products of one layer on random weights.
 * Prints the median kernel time of each task over RUNS executes, after one warm-up.
 */
public final class KernelTimes {
    private static final ModelShape LLAMA_8B = new ModelShape(1, 4096, 32, 8, 128, 14336, 128256, 131072, 1e-5f,
            RopeParameters.llama3(500000, 8, 1, 4, 8192));
    private static final int GROUP = 256;

    private KernelTimes() {
    }

    public static void main(String[] args) {
        if (args.length == 3 && args[0].equals("attention")) {
            attention(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
        } else if (args.length == 2 && args[0].equals("matvec")) {
            matvec(Integer.parseInt(args[1]));
        } else {
            System.err.println("usage: KernelTimes attention CONTEXT RUNS | matvec RUNS");
            System.exit(2);
        }
    }

    private static void attention(int context, int runs) {
        int capacity = context + 128;
        DeviceMemoryBudget budget = new DeviceMemoryBudget(64L << 30);
        DecodeStep step = new DecodeStep(LLAMA_8B, capacity, budget);
        DeviceCommVqLayer layer = DeviceCommVqLayer.allocate(CommVqSyntheticCodebooks.create(LLAMA_8B, 11, 1, 7), 0,
                "l0", capacity, LLAMA_8B, budget);
        layer.fillSynthetic(context, 3);
        LayerScratch s = LayerScratch.allocate("g", LLAMA_8B, capacity, layer.codeBits(), budget);
        fill(s.q(), new Random(5), 1f);
        step.moveTo(context + 5);
        TaskGraph graph = new TaskGraph("attention")
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, layer.arrays())
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, s.arrays())
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, step.position());
        GridScheduler grids = new GridScheduler();
        layer.addAttention(LayerTasks.unprefixed(graph, grids, GROUP, LLAMA_8B), new KernelContext(), s, step);
        graph.transferToHost(DataTransferMode.EVERY_EXECUTION, s.att());
        report("CommVQ 1-bit attention at " + context + " tokens", graph, grids, runs, Map.of());
    }

    private static void matvec(int runs) {
        Random random = new Random(9);
        int dim = LLAMA_8B.dim();
        int ffn = LLAMA_8B.ffnDim();
        int kv = LLAMA_8B.kvDim();
        DeviceMatrix.Q8 wq = q8(random, dim, dim);
        DeviceMatrix.Q8 wk = q8(random, kv, dim);
        DeviceMatrix.Q8 wv = q8(random, kv, dim);
        DeviceMatrix.Q8 wo = q8(random, dim, dim);
        DeviceMatrix.Q8 gate = q8(random, ffn, dim);
        DeviceMatrix.Q8 up = q8(random, ffn, dim);
        DeviceMatrix.Q8 down = q8(random, dim, ffn);
        FloatArray x = fill(new FloatArray(ffn), random, 1f);
        FloatArray q = new FloatArray(dim);
        FloatArray k = new FloatArray(kv);
        FloatArray v = new FloatArray(kv);
        FloatArray hidden = new FloatArray(ffn);
        FloatArray acc = new FloatArray(dim);
        KernelContext ctx = new KernelContext();
        TaskGraph graph = new TaskGraph("matvec");
        for (DeviceMatrix.Q8 m : List.of(wq, wk, wv, wo, gate, up, down)) {
            graph.transferToDevice(DataTransferMode.FIRST_EXECUTION, m.arrays());
        }
        graph.transferToDevice(DataTransferMode.FIRST_EXECUTION, x, q, k, v, hidden, acc);
        wq.qkv(graph, "qkv", ctx, wk, wv, x, q, k, v, GROUP);
        wo.matVecAdd(graph, "woResidual", ctx, x, acc, GROUP);
        gate.gateUp(graph, "gateUp", ctx, up, x, hidden, GROUP);
        down.matVecAdd(graph, "downResidual", ctx, x, acc, GROUP);
        graph.transferToHost(DataTransferMode.EVERY_EXECUTION, acc);
        GridScheduler grids = new GridScheduler();
        grids.addWorkerGrid("matvec.qkv", wq.grid(dim + 2 * kv, GROUP));
        grids.addWorkerGrid("matvec.woResidual", wo.grid(dim, GROUP));
        grids.addWorkerGrid("matvec.gateUp", gate.grid(ffn, GROUP));
        grids.addWorkerGrid("matvec.downResidual", down.grid(dim, GROUP));
        Map<String, Long> bytes = new LinkedHashMap<>();
        bytes.put("qkv", q8Bytes(dim + 2L * kv, dim));
        bytes.put("woResidual", q8Bytes(dim, dim));
        bytes.put("gateUp", 2 * q8Bytes(ffn, dim));
        bytes.put("downResidual", q8Bytes(dim, ffn));
        report("Q8_0 matrix-vector products of one layer", graph, grids, runs, bytes);
    }

    /** Executes the graph 1 + runs times and prints each task's median kernel time (and GB/s where bytes given). */
    private static void report(String title, TaskGraph graph, GridScheduler grids, int runs, Map<String, Long> bytes) {
        Map<String, List<Long>> times = new LinkedHashMap<>();
        ObjectMapper json = new ObjectMapper();
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(graph.snapshot())) {
            plan.withGridScheduler(grids).withProfiler(ProfilerMode.SILENT);
            for (int r = 0; r <= runs; r++) {
                TornadoExecutionResult result = plan.execute();
                if (r == 0) {
                    continue;
                }
                JsonNode log = json.readTree(result.getProfilerResult().getProfileLog());
                log.properties().forEach(g -> g.getValue().properties().forEach(t -> {
                    JsonNode kernel = t.getValue().get("TASK_KERNEL_TIME");
                    if (kernel != null) {
                        String task = t.getKey().substring(t.getKey().lastIndexOf('.') + 1);
                        times.computeIfAbsent(task, key -> new ArrayList<>()).add(kernel.asLong());
                    }
                }));
            }
        } catch (Exception e) {
            throw new IllegalStateException(title + ": " + e.getMessage(), e);
        }
        System.out.println(title + ", median of " + runs + " executes:");
        times.forEach((task, ns) -> {
            long[] sorted = ns.stream().mapToLong(Long::longValue).sorted().toArray();
            double us = sorted[sorted.length / 2] / 1e3;
            Long b = bytes.get(task);
            System.out.println(String.format(Locale.ROOT, "  %-14s %9.1f us%s", task, us,
                    b == null ? "" : String.format(Locale.ROOT, "  %6.0f GB/s", b / (us * 1e3))));
        });
    }

    private static long q8Bytes(long rows, long cols) {
        return rows * cols + rows * (cols / MatVec.Q8_BLOCK) * Float.BYTES;
    }

    private static DeviceMatrix.Q8 q8(Random random, int rows, int cols) {
        IntArray quants = new IntArray(rows * cols / MatVec.Q8_PER_INT);
        for (int i = 0; i < quants.getSize(); i++) {
            quants.set(i, random.nextInt());
        }
        return new DeviceMatrix.Q8(quants, fill(new FloatArray(rows * cols / MatVec.Q8_BLOCK), random, 0.02f), rows,
                cols);
    }

    private static FloatArray fill(FloatArray a, Random random, float scale) {
        for (int i = 0; i < a.getSize(); i++) {
            a.set(i, (random.nextFloat() * 2 - 1) * scale);
        }
        return a;
    }
}
