package org.commvq.model.backend;

import java.nio.file.Path;

/**
 * What a session is opened with.
 *
 * @param cacheType   the --kv-cache name
 * @param contextSize most tokens the session holds
 * @param codebook    codebook file for cache types that need one, or null
 * @param device      which of the backend's devices, in the backend's own syntax ("" for its default)
 * @param weights     the layout to multiply by, in the backend's own names ("" for the backend's choice)
 * @param deviceMemory bytes of device memory the session may plan for (--gpu-memory), 0 for the whole device
 */
public record SessionConfig(String cacheType, int contextSize, Path codebook, String device, String weights,
                            long deviceMemory) {

    public SessionConfig(String cacheType, int contextSize, Path codebook, String device, String weights) {
        this(cacheType, contextSize, codebook, device, weights, 0);
    }

    public SessionConfig {
        if (contextSize < 1) {
            throw new IllegalArgumentException("--ctx-size must be at least 1, got " + contextSize);
        }
        device = device == null ? "" : device;
        weights = weights == null ? "" : weights;
        if (deviceMemory < 0) {
            throw new IllegalArgumentException("--gpu-memory must be positive, got " + deviceMemory + " bytes");
        }
    }
}
