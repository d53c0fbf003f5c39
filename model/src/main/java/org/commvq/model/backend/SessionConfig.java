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
 */
public record SessionConfig(String cacheType, int contextSize, Path codebook, String device, String weights) {

    public SessionConfig {
        if (contextSize < 1) {
            throw new IllegalArgumentException("--ctx-size must be at least 1, got " + contextSize);
        }
        device = device == null ? "" : device;
        weights = weights == null ? "" : weights;
    }
}
