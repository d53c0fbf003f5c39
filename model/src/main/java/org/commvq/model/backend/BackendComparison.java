package org.commvq.model.backend;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs one prompt through two sessions side by side and greedily continues it, comparing their logits at every step.
 * Both sessions are fed the reference's greedy token (teacher forcing), so every step compares the two backends on
 * identical inputs even after their choices differ; agreement counts the steps where the candidate's own greedy
 * choice equals the reference's. Each backend's time is measured around its own calls only.
 * A warm-up pass first (prompt plus a few steps, then reset) keeps JIT and kernel compilation out of the timings.
 */
public final class BackendComparison {
    private static final int WARMUP_STEPS = 3;

    private BackendComparison() {
    }

    /** Compares {@code steps} generated tokens: the prompt's logits, then steps − 1 decode steps. */
    public static ComparisonResult run(InferenceSession reference, InferenceSession candidate, int[] prompt,
                                       int steps) {
        if (prompt.length == 0 || steps < 1) {
            throw new IllegalArgumentException("a comparison needs a prompt and at least one step");
        }
        int needed = prompt.length + steps;
        for (InferenceSession s : List.of(reference, candidate)) {
            if (needed > s.capacity()) {
                throw new IllegalArgumentException("prompt + steps = " + needed + " tokens exceed --ctx-size "
                        + s.capacity());
            }
        }
        warmUp(reference, candidate, prompt, Math.min(WARMUP_STEPS, steps));

        long t0 = System.nanoTime();
        float[] ref = reference.forward(prompt, 0, prompt.length, 0);
        long refPrefill = System.nanoTime() - t0;
        t0 = System.nanoTime();
        float[] cand = candidate.forward(prompt, 0, prompt.length, 0);
        long candPrefill = System.nanoTime() - t0;

        List<ComparisonResult.Step> records = new ArrayList<>();
        long refDecode = 0;
        long candDecode = 0;
        int[] one = new int[1];
        int pos = prompt.length;
        for (int step = 0; step < steps; step++) {
            records.add(ComparisonResult.Step.of(step, ref, cand));
            if (step == steps - 1) {
                break;
            }
            one[0] = argmax(ref);
            long s = System.nanoTime();
            ref = reference.forward(one, 0, 1, pos);
            refDecode += System.nanoTime() - s;
            s = System.nanoTime();
            cand = candidate.forward(one, 0, 1, pos);
            candDecode += System.nanoTime() - s;
            pos++;
        }
        return new ComparisonResult(reference.info(), candidate.info(), prompt.length, List.copyOf(records),
                refPrefill, candPrefill, refDecode, candDecode);
    }

    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    private static void warmUp(InferenceSession reference, InferenceSession candidate, int[] prompt, int steps) {
        float[] logits = reference.forward(prompt, 0, prompt.length, 0);
        candidate.forward(prompt, 0, prompt.length, 0);
        int[] one = new int[1];
        for (int i = 0; i < steps - 1; i++) {
            one[0] = argmax(logits);
            logits = reference.forward(one, 0, 1, prompt.length + i);
            candidate.forward(one, 0, 1, prompt.length + i);
        }
        reference.reset();
        candidate.reset();
    }
}
