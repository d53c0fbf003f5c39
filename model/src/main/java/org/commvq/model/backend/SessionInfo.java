package org.commvq.model.backend;

/**
 * What a session runs on, for reports.
 *
 * @param backend           the backend's --device name
 * @param device            the device, in words
 * @param weights           the weights' layout where they are multiplied, e.g. "Q8_0" or "Q8_0 (int8 + f32 scales)"
 * @param cacheType         the --kv-cache name
 * @param weightBytesPerStep bytes of weights one decode step reads (all matrices but the embedding table, of which
 *                           one row is read): the numerator of a memory-bandwidth bound
 * @param deviceBytes       bytes of device memory the session planned and allocates, 0 where it runs on the host
 */
public record SessionInfo(String backend, String device, String weights, String cacheType, long weightBytesPerStep,
                          long deviceBytes) {
}
