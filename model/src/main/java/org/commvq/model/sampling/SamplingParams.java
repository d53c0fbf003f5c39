package org.commvq.model.sampling;

/**
 * How the next token is chosen. temperature 0 means greedy (argmax); topK 0 and topP 1 switch those filters off.
 */
public record SamplingParams(float temperature, int topK, float topP, long seed) {

    public static SamplingParams greedy() {
        return new SamplingParams(0f, 0, 1f, 0);
    }

    public SamplingParams {
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("--temperature must be a finite number >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("--top-k must be >= 0 (0 = off), got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("--top-p must be in (0, 1], got " + topP);
        }
    }
}
