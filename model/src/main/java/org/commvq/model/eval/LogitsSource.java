package org.commvq.model.eval;

/**
 * Next-token logits for a token stream fed piece by piece, the way a model with a KV cache sees it: each call
 * continues after the tokens fed since the last {@link #reset()}. Perplexity needs nothing else from a model, so the
 * metric can be tested with made-up distributions.
 */
public interface LogitsSource {

    int vocab();

    /** Forgets every token fed so far. */
    void reset();

    /** Feeds n tokens and returns the logits after the last of them, {@code [vocab]}. */
    float[] last(int[] tokens, int from, int n);

    /** Feeds n tokens and returns the logits after each of them, {@code [n][vocab]}. */
    float[] all(int[] tokens, int from, int n);
}
