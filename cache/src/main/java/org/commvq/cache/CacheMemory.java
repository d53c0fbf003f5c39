package org.commvq.cache;

/**
 * Bytes a cache actually holds, by kind, taken from the arrays it allocated and filled.
 *
 * @param codeBytes   compressed codes (CommVQ/VQKV indices, bit codes, quantized integers)
 * @param scaleBytes  norms, scales and zero points stored per token or group
 * @param fullBytes   full-precision keys and values (a whole fp cache, or the uncompressed tail/window)
 * @param tokens      tokens stored per layer
 */
public record CacheMemory(long codeBytes, long scaleBytes, long fullBytes, long tokens) {

    public long totalBytes() {
        return codeBytes + scaleBytes + fullBytes;
    }

    public CacheMemory plus(CacheMemory other) {
        return new CacheMemory(codeBytes + other.codeBytes, scaleBytes + other.scaleBytes,
                fullBytes + other.fullBytes, Math.max(tokens, other.tokens));
    }
}
