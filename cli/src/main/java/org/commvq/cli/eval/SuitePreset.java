package org.commvq.cli.eval;

import java.util.Arrays;

/**
 * The settings of `eval all`: a full run, or a quick one that finishes in minutes on a laptop with the tiny model.
 *
 * @param maxTokens tokens of the text to score, 0 for all
 */
record SuitePreset(int ctx, int stride, int chunk, int maxTokens, int[] lengths, double[] depths, int passkeyTrials,
                   int niahTrials, long[] memoryContexts) {

    static final SuitePreset FULL = new SuitePreset(2048, 1024, 1, 0, new int[] {512, 1024, 2048},
            new double[] {0, 0.25, 0.5, 0.75, 1}, 10, 5, new long[] {8192, 32768, 131072});
    static final SuitePreset QUICK = new SuitePreset(512, 256, 1, 2048, new int[] {512, 1024},
            new double[] {0, 0.5, 1}, 2, 2, new long[] {8192, 32768, 131072});

    /** The same settings cut to a model's trained context. */
    SuitePreset fitTo(int contextLength) {
        int[] fit = Arrays.stream(lengths).filter(l -> l <= contextLength).toArray();
        int c = Math.min(ctx, contextLength);
        return new SuitePreset(c, Math.min(stride, c - 1), chunk, maxTokens,
                fit.length > 0 ? fit : new int[] {contextLength}, depths, passkeyTrials, niahTrials, memoryContexts);
    }

    int capacity() {
        return Math.max(ctx, Arrays.stream(lengths).max().orElse(ctx));
    }
}
