package org.commvq.cli.eval;

import java.util.Arrays;
import org.commvq.model.eval.PerplexityEvaluator;
import org.commvq.model.tokenizer.Llama3Tokenizer;
import picocli.CommandLine.Option;

/** --ctx, --stride, --chunk, --max-tokens: how perplexity windows are laid out and fed. */
public final class PerplexityOptions {
    @Option(names = "--ctx", paramLabel = "N", defaultValue = "512",
            description = "window length in tokens, BOS included (default: ${DEFAULT-VALUE})")
    int ctx;

    @Option(names = "--stride", paramLabel = "S", defaultValue = "256",
            description = "tokens each window advances by, at most --ctx − 1 (default: ${DEFAULT-VALUE})")
    int stride;

    @Option(names = "--chunk", paramLabel = "C", defaultValue = "1",
            description = "scored tokens fed per forward call (default: ${DEFAULT-VALUE}). 1 is exactly what decoding"
                    + " sees; larger chunks are faster but tokens of one chunk attend to each other in full"
                    + " precision")
    int chunk;

    @Option(names = "--max-tokens", paramLabel = "T",
            description = "score only the first T tokens of the text (default: all)")
    Integer maxTokens;

    PerplexityEvaluator evaluator() {
        return new PerplexityEvaluator(ctx, stride, chunk);
    }

    void checkFits(int capacity) {
        if (ctx > capacity) {
            throw new IllegalArgumentException("--ctx " + ctx + " is longer than the cache's --ctx-size " + capacity);
        }
    }

    /** The text's ids without BOS, cut to --max-tokens. */
    int[] tokens(Llama3Tokenizer tokenizer, String text) {
        if (maxTokens != null && maxTokens < 1) {
            throw new IllegalArgumentException("--max-tokens must be at least 1, got " + maxTokens);
        }
        int[] ids = tokenizer.encode(text, false);
        if (ids.length == 0) {
            throw new IllegalArgumentException("--text has no tokens to score");
        }
        return maxTokens != null && maxTokens < ids.length ? Arrays.copyOf(ids, maxTokens) : ids;
    }
}
