package org.commvq.model.eval;

/**
 * @param tokens  tokens scored
 * @param nats    their summed negative log-likelihood
 * @param bytes   UTF-8 bytes of the scored tokens' text
 * @param seconds wall time of the evaluation
 */
public record PerplexityResult(long tokens, double nats, long bytes, double seconds) {

    public double natsPerToken() {
        return nats / tokens;
    }

    public double perplexity() {
        return Math.exp(natsPerToken());
    }

    public double bitsPerByte() {
        return nats / Math.log(2) / bytes;
    }
}
