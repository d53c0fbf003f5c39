package org.commvq.tornado.backend;

import java.util.Locale;
import java.util.Map;

import org.commvq.cache.CacheMemory;
import org.commvq.cache.ModelShape;
import org.commvq.model.backend.InferenceSession;
import org.commvq.model.backend.SessionChecks;
import org.commvq.model.backend.SessionConfig;
import org.commvq.model.backend.SessionInfo;
import org.commvq.model.load.LoadedModel;
import org.commvq.tornado.plan.DeviceMemoryBudget;
import org.commvq.tornado.plan.DeviceCacheSpec;
import org.commvq.tornado.plan.LayerGroupPlan;
import org.commvq.tornado.plan.ModelPlan;
import org.commvq.tornado.plan.WeightFormat;

import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;

/**
 * A model on a TornadoVM device through a {@link ModelPlan}. A prompt runs token by token through the decode graphs
 * (there is no batched prefill kernel), so prefill costs about as much per token as decoding.
 */
final class TornadoSession implements InferenceSession {
    /** Work-group size of every kernel: a power of two, at most the kernels' local-array size. */
    private static final int GROUP = 256;
    /**
     * Device memory left to the CUDA context, TornadoVM's compiled kernels and its own buffers. On the H100 the
     * LLaMA-3.1-8B shape used 1.4 to 2.1 GiB more than the plan's arrays (nvidia-smi's peak against the plan; 2.1 GiB
     * with CommVQ at 128K). --gpu-memory 24GB is 24×10⁹ bytes, 1.6 GiB under a 24 GiB card, so with 2 GiB kept here
     * a plan that fits it still fits the card.
     */
    private static final long RESERVE = 2L << 30;
    private static final double GIB = 1024.0 * 1024.0 * 1024.0;
    /**
     * System property: transformer blocks per TaskGraph, 1 to LayerGroupPlan.maxLayers. The default is the most,
     * because TornadoVM's host-side cost per execute dominates small models: on the H100 (PTX) the tiny model
     * decoded at 170 tokens/s with 4 blocks per graph and 97 with 1.
     */
    static final String LAYERS_PER_GRAPH = "commvq.gpu.layersPerGraph";
    /**
     * System property: record each graph once as a CUDA graph and replay it; on by default on PTX devices, where a
     * replay skips TornadoVM's per-task host work (false turns it off; true elsewhere is an error). On the H100 its
     * logits equal the plain launches' (fp32 and commvq1 over 150 steps).
     */
    static final String CUDA_GRAPHS = "commvq.gpu.cudaGraphs";

    private final ModelPlan plan;
    private final SessionInfo info;
    private final long cacheBytesPerToken;
    private int length;
    private int syntheticContext;

    private TornadoSession(ModelPlan plan, SessionInfo info, long cacheBytesPerToken) {
        this.plan = plan;
        this.info = info;
        this.cacheBytesPerToken = cacheBytesPerToken;
    }

    static TornadoSession open(LoadedModel model, SessionConfig config) {
        TornadoDevice device = TornadoDevices.select(config.device());
        boolean halves = TornadoDevices.halfFloats(device);
        DeviceCacheSpec cache = DeviceLayouts.cache(config.cacheType(), config.codebook(), model, halves, device);
        WeightFormat format = DeviceLayouts.weights(model.weights(), config.weights(), halves, device);
        ModelShape shape = model.shape();
        DeviceMemoryBudget budget = new DeviceMemoryBudget(budgetBytes(device, config.deviceMemory()));
        int layersPerGraph = Integer.getInteger(LAYERS_PER_GRAPH, LayerGroupPlan.maxLayers(cache));
        boolean ptx = device.getTornadoVMBackend() == TornadoVMBackendType.PTX;
        boolean cudaGraphs = Boolean.parseBoolean(System.getProperty(CUDA_GRAPHS, String.valueOf(ptx)));
        if (cudaGraphs && !ptx) {
            throw new IllegalArgumentException("-D" + CUDA_GRAPHS + "=true needs a PTX device, not "
                    + device.getTornadoVMBackend());
        }
        ModelPlan plan;
        try {
            plan = new ModelPlan(shape, model.weights(), format, cache, config.contextSize(), layersPerGraph, GROUP,
                    budget, device, cudaGraphs);
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "--kv-cache %s with --ctx-size %d does not fit in %.2f GiB of device memory (the cache alone"
                            + " takes %.2f GiB): %s", config.cacheType(), config.contextSize(),
                    budget.budgetBytes() / GIB, cache.bytesPerToken(shape) * (double) config.contextSize() / GIB,
                    e.getMessage()), e);
        }
        long weightBytes = budget.reservations().entrySet().stream()
                .filter(e -> DeviceLayouts.isWeight(e.getKey()))
                .mapToLong(Map.Entry::getValue).sum();
        String where = TornadoDevices.describe(device) + String.format(Locale.ROOT,
                ", %d graphs per token%s, %.1f of %.1f MiB budgeted", plan.graphsPerStep(),
                cudaGraphs ? " (CUDA graphs)" : "", budget.usedBytes() / 1048576.0, budget.budgetBytes() / 1048576.0);
        long perToken = cache.bytesPerToken(shape);
        return new TornadoSession(plan, new SessionInfo(TornadoBackend.NAME, where, DeviceLayouts.describe(format),
                config.cacheType(), weightBytes, budget.usedBytes()), perToken);
    }

    /**
     * --gpu-memory (or else the device's memory) less a reserve for the driver, TornadoVM's compiled kernels and its
     * own buffers; TornadoVM's cap where the user set a smaller one (-Dtornado.device.memory, which TornadoVM itself
     * enforces). A --gpu-memory larger than the device is refused: the plan would fit on paper and fail on the card.
     */
    private static long budgetBytes(TornadoDevice device, long requested) {
        long physical = device.getMaxGlobalMemory();
        if (requested > physical) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "--gpu-memory %.2f GiB is more than the %.2f GiB of %s", requested / GIB, physical / GIB,
                    TornadoDevices.name(device)));
        }
        long bytes = (requested > 0 ? requested : physical) - RESERVE;
        String cap = System.getProperty(TornadoDevices.MEMORY_CAP);
        if (cap != null) {
            bytes = Math.min(bytes, DeviceLayouts.parseSize(cap));
        }
        if (bytes <= 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%.2f GiB of device memory is too little"
                    + " to hold a model: %d MiB are kept for the driver and TornadoVM",
                    (requested > 0 ? requested : physical) / GIB, RESERVE >> 20));
        }
        return bytes;
    }

    @Override
    public SessionInfo info() {
        return info;
    }

    @Override
    public int capacity() {
        return plan.capacity();
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public float[] forward(int[] tokens, int from, int n, int pos) {
        SessionChecks.inOrder(pos, length, n, capacity());
        float[] logits = null;
        for (int i = 0; i < n; i++) {
            logits = plan.decode(tokens[from + i], pos + i, i == n - 1);
            length++;
        }
        return logits;
    }

    /** The device cache needs no clearing: attention reads positions 0..pos only, and appends overwrite. */
    @Override
    public void reset() {
        length = syntheticContext;
    }

    @Override
    public void fillSyntheticContext(int tokens, long seed) {
        if (length != 0) {
            throw new IllegalStateException("a synthetic context goes into an empty session, this one holds " + length
                    + " tokens");
        }
        plan.fillSyntheticContext(tokens, seed);
        syntheticContext = tokens;
        length = tokens;
    }

    @Override
    public CacheMemory memory() {
        return new CacheMemory(0, 0, length * cacheBytesPerToken, length);
    }

    @Override
    public void close() {
        plan.close();
    }
}
