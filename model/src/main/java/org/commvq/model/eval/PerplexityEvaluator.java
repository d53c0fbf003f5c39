package org.commvq.model.eval;

import java.util.List;
import java.util.function.IntConsumer;
import java.util.function.IntUnaryOperator;

/**
 * Strided perplexity with the text fed through the cache as generation feeds it. Each window is BOS plus up to
 * ctx − 1 tokens; its unscored overlap with the previous window is prefilled in one call (the "prompt"), then the
 * scored tokens are fed {@code chunk} at a time with everything before them already in the cache. With chunk 1 every
 * scored token is predicted exactly as a decode step would predict it, so compressed tokens count; a larger chunk is
 * faster but attends within the chunk in full precision.
 *
 * @param ctx    window length in tokens, BOS included
 * @param stride tokens the window advances by (at most ctx − 1, so no token goes unscored)
 * @param chunk  scored tokens fed per call
 */
public record PerplexityEvaluator(int ctx, int stride, int chunk) {

    public PerplexityEvaluator {
        if (ctx < 2) {
            throw new IllegalArgumentException("--ctx must be at least 2 (BOS and one token), got " + ctx);
        }
        if (stride < 1 || stride > ctx - 1) {
            throw new IllegalArgumentException("--stride must be in 1.." + (ctx - 1) + " (ctx − 1, for the BOS), got "
                    + stride);
        }
        if (chunk < 1) {
            throw new IllegalArgumentException("--chunk must be at least 1, got " + chunk);
        }
    }

    public List<StridedWindows.Window> windows(int tokens) {
        return StridedWindows.plan(tokens, ctx - 1, stride);
    }

    /**
     * @param text       the text's token ids, without BOS
     * @param tokenBytes UTF-8 byte length of a token, for bits per byte
     * @param progress   receives the number of tokens scored by each model call
     */
    public PerplexityResult run(int[] text, int bos, LogitsSource model, IntUnaryOperator tokenBytes,
                                IntConsumer progress) {
        if (text.length == 0) {
            throw new IllegalArgumentException("the text has no tokens to score");
        }
        long start = System.nanoTime();
        int vocab = model.vocab();
        int[] window = new int[ctx];
        double nats = 0;
        long bytes = 0;
        long scored = 0;
        for (StridedWindows.Window w : windows(text.length)) {
            int length = 1 + w.length();
            window[0] = bos;
            System.arraycopy(text, w.begin(), window, 1, w.length());
            int firstScored = 1 + w.scoreFrom() - w.begin();
            model.reset();
            float[] logits = model.last(window, 0, firstScored);
            nats += negativeLogLikelihood(logits, 0, vocab, window[firstScored]);
            bytes += tokenBytes.applyAsInt(window[firstScored]);
            progress.accept(1);
            for (int fed = firstScored; fed < length - 1; ) {
                int n = Math.min(chunk, length - 1 - fed);
                logits = model.all(window, fed, n);
                for (int i = 0; i < n; i++) {
                    int target = window[fed + 1 + i];
                    nats += negativeLogLikelihood(logits, i * vocab, vocab, target);
                    bytes += tokenBytes.applyAsInt(target);
                }
                progress.accept(n);
                fed += n;
            }
            scored += w.scored();
        }
        return new PerplexityResult(scored, nats, bytes, (System.nanoTime() - start) / 1e9);
    }

    /** −log softmax(logits)[target], computed in double with the maximum subtracted. */
    public static double negativeLogLikelihood(float[] logits, int offset, int vocab, int target) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            sum += Math.exp(logits[offset + i] - max);
        }
        return Math.log(sum) - (logits[offset + target] - max);
    }
}
