package org.commvq.model.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * Strided perplexity windows over a token stream (the Hugging Face recipe): windows of at most {@code span} tokens
 * start every {@code stride} tokens, and each window scores only the tokens no earlier window scored, so every token
 * is scored once and, after the first window, with at least {@code span − stride} tokens of context.
 */
public final class StridedWindows {
    private StridedWindows() {
    }

    /**
     * Tokens {@code begin..end-1} of the stream are in the window; {@code scoreFrom..end-1} are scored.
     */
    public record Window(int begin, int end, int scoreFrom) {
        public int length() {
            return end - begin;
        }

        public int scored() {
            return end - scoreFrom;
        }
    }

    public static List<Window> plan(int tokens, int span, int stride) {
        if (span < 1) {
            throw new IllegalArgumentException("window span must be at least 1 token, got " + span);
        }
        if (stride < 1 || stride > span) {
            throw new IllegalArgumentException("stride must be in 1.." + span + " so no token is skipped, got "
                    + stride);
        }
        List<Window> windows = new ArrayList<>();
        int scoredTo = 0;
        for (int begin = 0; scoredTo < tokens; begin += stride) {
            int end = Math.min(begin + span, tokens);
            windows.add(new Window(begin, end, scoredTo));
            scoredTo = end;
        }
        return windows;
    }
}
