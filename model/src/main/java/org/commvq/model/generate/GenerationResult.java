package org.commvq.model.generate;

/**
 * What one generation did, with its timings. Decode tokens/s counts the single-token forward passes only; the first
 * generated token comes from the prefill's logits.
 */
public record GenerationResult(int promptTokens, int[] generated, long prefillNanos, int decodeSteps,
                               long decodeNanos, StopReason stopReason) {

    public enum StopReason { MAX_TOKENS, END_OF_TEXT, CONTEXT_FULL }

    public double prefillTokensPerSecond() {
        return prefillNanos == 0 ? 0 : promptTokens * 1e9 / prefillNanos;
    }

    public double decodeTokensPerSecond() {
        return decodeNanos == 0 ? 0 : decodeSteps * 1e9 / decodeNanos;
    }
}
