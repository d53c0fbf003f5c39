package org.commvq.model.backend;

import java.util.List;
import org.commvq.cache.KvCacheFactory;
import org.commvq.cache.Workers;
import org.commvq.model.load.LoadedModel;

/** The forward pass on the CPU's cores with the Vector API, with any cache type. */
public final class CpuBackend implements InferenceBackend {
    public static final String NAME = "cpu";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Availability availability() {
        return Availability.yes(describe());
    }

    @Override
    public List<String> devices() {
        return List.of(describe());
    }

    @Override
    public InferenceSession open(LoadedModel model, SessionConfig config) {
        if (!config.device().isEmpty()) {
            throw new IllegalArgumentException("the CPU backend has a single device, got '" + config.device() + "'");
        }
        if (config.deviceMemory() != 0) {
            throw new IllegalArgumentException("--gpu-memory sets a GPU's budget; the CPU session takes what it needs");
        }
        if (!config.weights().isEmpty()) {
            throw new IllegalArgumentException("the CPU multiplies by the file's own weight types; a weight layout"
                    + " can be chosen for the GPU only");
        }
        return new CpuSession(model, KvCacheFactory.create(config.cacheType(), model.shape(), config.contextSize(),
                config.codebook(), model.vocabHash()), describe());
    }

    private static String describe() {
        return "CPU, " + Workers.threads() + " threads on " + Runtime.getRuntime().availableProcessors()
                + " cores, Vector API";
    }
}
