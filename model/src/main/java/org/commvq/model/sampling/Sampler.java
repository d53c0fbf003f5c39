package org.commvq.model.sampling;

import java.util.SplittableRandom;

/**
 * Picks the next token from logits: greedy, or temperature → top-k → top-p (nucleus) → a draw from a seeded
 * generator. The same seed and logits give the same tokens on every run and thread count, because the draw sequence
 * depends only on the seed and candidates are ordered by (probability, id).
 */
public final class Sampler {
    private final SamplingParams params;
    private final SplittableRandom random;

    public Sampler(SamplingParams params) {
        this.params = params;
        this.random = new SplittableRandom(params.seed());
    }

    public int sample(float[] logits) {
        if (params.temperature() == 0f) {
            return argmax(logits);
        }
        int n = logits.length;
        double[] probs = softmax(logits, params.temperature());
        boolean filtered = params.topK() > 0 || params.topP() < 1f;
        if (!filtered) {
            return draw(probs, null, n, 1.0);
        }
        // A token below (1 - topP) / (n - 1) can never be inside the nucleus, so only the rest needs sorting.
        double cutoff = params.topP() < 1f ? (1.0 - params.topP()) / (n - 1) : 0.0;
        int[] ids = new int[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (probs[i] >= cutoff) {
                ids[m++] = i;
            }
        }
        int keep = params.topK() > 0 ? Math.min(params.topK(), m) : m;
        sortTop(ids, m, keep, probs);
        double cumulative = 0;
        int nucleus = keep;
        for (int i = 0; i < keep; i++) {
            cumulative += probs[ids[i]];
            if (cumulative >= params.topP()) {
                nucleus = i + 1;
                break;
            }
        }
        double mass = 0;
        for (int i = 0; i < nucleus; i++) {
            mass += probs[ids[i]];
        }
        return draw(probs, ids, nucleus, mass);
    }

    private int draw(double[] probs, int[] ids, int count, double mass) {
        double r = random.nextDouble() * mass;
        for (int i = 0; i < count; i++) {
            int id = ids == null ? i : ids[i];
            r -= probs[id];
            if (r < 0) {
                return id;
            }
        }
        return ids == null ? count - 1 : ids[count - 1];
    }

    private static double[] softmax(float[] logits, float temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            p[i] = Math.exp((logits[i] - max) / temperature);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /**
     * Moves the {@code keep} most probable of ids[0..m) to the front in descending order (ties: lower id first):
     * selection when few are kept, a full sort of the candidates otherwise.
     */
    private static void sortTop(int[] ids, int m, int keep, double[] probs) {
        if (keep > 64) {
            Integer[] boxed = new Integer[m];
            for (int i = 0; i < m; i++) {
                boxed[i] = ids[i];
            }
            java.util.Arrays.sort(boxed, (a, b) -> before(a, b, probs) ? -1 : before(b, a, probs) ? 1 : 0);
            for (int i = 0; i < m; i++) {
                ids[i] = boxed[i];
            }
            return;
        }
        for (int i = 0; i < keep; i++) {
            int best = i;
            for (int j = i + 1; j < m; j++) {
                if (before(ids[j], ids[best], probs)) {
                    best = j;
                }
            }
            int t = ids[i];
            ids[i] = ids[best];
            ids[best] = t;
        }
    }

    private static boolean before(int a, int b, double[] probs) {
        return probs[a] > probs[b] || (probs[a] == probs[b] && a < b);
    }

    /** Index of the largest logit; the lowest index wins a tie, as torch.argmax does. */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }
}
