package org.commvq.cli;

import org.commvq.cli.eval.MemoryOptions;
import org.commvq.model.backend.InferenceBackend;
import org.commvq.model.backend.InferenceBackends;
import org.commvq.model.backend.InferenceSession;
import org.commvq.model.backend.SessionConfig;
import org.commvq.model.load.LoadedModel;
import picocli.CommandLine.Option;

/**
 * --device, --gpu-weights and --gpu-memory. The backend is resolved before the model is loaded, so a missing GPU runtime costs one
 * line and no wait.
 */
public final class DeviceOptions {
    static final String DEVICE_HELP = "cpu, or gpu for TornadoVM (gpu:ptx, gpu:opencl or gpu:B.D pick a device, see"
            + " `commvq devices`); on the GPU the prompt runs token by token through the decode kernels";

    @Option(names = "--device", paramLabel = "DEVICE", defaultValue = "cpu",
            description = "where the model runs: " + DEVICE_HELP + " (default: ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--gpu-weights", paramLabel = "LAYOUT",
            description = "weight layout on the GPU: f32, f16 or q8_0 (default: the file's type where the device has"
                    + " it, else f32)")
    String gpuWeights;

    static final String GPU_MEMORY_HELP = "device memory to plan for, e.g. 24GB (10^9 bytes) or 24GiB (2^30),"
            + " default: the device's own; a configuration that would not fit is refused, with the numbers, before"
            + " anything is allocated";

    @Option(names = "--gpu-memory", paramLabel = "SIZE", description = GPU_MEMORY_HELP)
    String gpuMemory;

    /** A --device value taken apart: the backend, ready to open sessions, and the backend's own device suffix. */
    record Selected(String spec, InferenceBackend backend, String suffix) {
        InferenceSession open(LoadedModel model, CacheOptions cache, int contextSize, String weights, long memory) {
            return backend.open(model, new SessionConfig(cache.type(model), contextSize, cache.codebook, suffix, weights,
                    memory));
        }
    }

    Selected select() {
        return resolve(device);
    }

    InferenceSession open(Selected selected, LoadedModel model, CacheOptions cache) {
        return selected.open(model, cache, cache.contextSize(model), gpuWeights, gpuMemoryBytes());
    }

    long gpuMemoryBytes() {
        return parseGpuMemory(gpuMemory);
    }

    /** A --gpu-memory value in bytes, 0 when not given. */
    static long parseGpuMemory(String text) {
        if (text == null) {
            return 0;
        }
        long bytes = MemoryOptions.parseBytes("--gpu-memory", text);
        if (bytes <= 0) {
            throw new IllegalArgumentException("--gpu-memory must be positive, got '" + text + "'");
        }
        return bytes;
    }

    /** The backend a --device value names; an IllegalArgumentException names the flag and what is missing. */
    static Selected resolve(String spec) {
        int colon = spec.indexOf(':');
        String name = colon < 0 ? spec : spec.substring(0, colon);
        String suffix = colon < 0 ? "" : spec.substring(colon + 1);
        if (!name.equals("cpu") && !name.equals(InferenceBackends.GPU) || name.equals("cpu") && colon >= 0) {
            throw new IllegalArgumentException("--device must be cpu or gpu[:ptx|:opencl|:B.D], got '" + spec + "'");
        }
        try {
            return new Selected(spec, InferenceBackends.require(name), suffix);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--device " + spec + ": " + e.getMessage(), e);
        }
    }
}
