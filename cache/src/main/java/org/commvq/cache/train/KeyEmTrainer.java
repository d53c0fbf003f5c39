package org.commvq.cache.train;

import java.util.SplittableRandom;
import java.util.function.IntConsumer;
import org.commvq.cache.Workers;

/**
 * CommVQ key codebooks of one (layer, KV head) by EM with commutative centers (spec §1.4), stage after stage on
 * the residuals the previous stages leave:
 * <ul>
 *   <li>init: C² random data rows as unconstrained centers, one soft E-step at τ = 1 and one M-step;</li>
 *   <li>then up to T iterations: E-step with W = softmax(−D/τ_t) over the C² codewords (D the Euclidean distance),
 *       the hard loss of the current θ, keep the best θ by hard loss, stop once the best has not improved by a
 *       relative 1e-4 for {@value #PATIENCE} iterations, else the closed-form M-step;</li>
 *   <li>the next stage trains on the residuals of the best θ's hard assignment.</li>
 * </ul>
 * Deviations, for speed: the init E-step runs on an evenly spaced subsample of the tokens (at τ = 1 the weights are
 * nearly uniform, so a subsample gives nearly the same M-step); soft weights below e^−{@value #CUTOFF} of the
 * largest are dropped (below float resolution next to it); and a token spreads its weight over at most its
 * {@value #MAX_SOFT} nearest codewords. The cap only binds in the first iteration or two of a stage, when the init
 * has pulled all centers close to the mean and every codeword is within reach: it turns that pass from C² soft
 * weights per token into {@value #MAX_SOFT}. The stop rule uses patience because the hard loss of an annealed soft
 * M-step may rise for an iteration before it falls.
 */
public final class KeyEmTrainer {
    /** Iterations without a relative gain of {@link #MIN_GAIN} before a stage stops. */
    static final int PATIENCE = 3;
    static final double MIN_GAIN = 1e-4;
    /** Soft weights exp(−(D − D_min)/τ) below e^−CUTOFF are taken as zero. */
    static final double CUTOFF = 20;
    /** Most codewords one token's soft weight is spread over. */
    static final int MAX_SOFT = 64;
    static final int TOKENS_PER_TASK = 512;

    /**
     * @param stages     R: 11 for 1-bit keys, 21 for 2-bit
     * @param iterations T: most EM iterations per stage (the schedule spans them)
     * @param entries    C: entries per (stage, pair) table; 64 for CommVQ's 12-bit codes
     * @param initTokens tokens the init E-step looks at
     */
    public record Settings(int stages, int iterations, int entries, long seed, int initTokens) {
        public Settings {
            if (stages < 1 || iterations < 1 || entries < 1 || initTokens < 1) {
                throw new IllegalArgumentException("key EM needs positive stages, iterations, entries and init tokens");
            }
        }
    }

    /**
     * @param theta      [R][P][C][2]
     * @param stageLoss  mean squared error per element, raw units, after each stage (index 0: before any stage)
     * @param iterations EM iterations each stage ran
     */
    public record HeadResult(float[] theta, double[] stageLoss, int[] iterations) {
    }

    private KeyEmTrainer() {
    }

    /** Trains all stages; {@code stageDone} hears each finished stage's index. */
    public static HeadResult train(KeyHeadData data, Settings s, int layer, int head, IntConsumer stageDone) {
        int pairs = data.pairs();
        int n = data.tokens();
        int width = 2 * pairs;
        float[] residual = data.unit().clone();
        float[] theta = new float[s.stages() * pairs * 2 * s.entries()];
        double[] stageLoss = new double[s.stages() + 1];
        int[] iterationsRun = new int[s.stages()];
        stageLoss[0] = data.rawEnergy() / ((double) n * width);
        for (int r = 0; r < s.stages(); r++) {
            SplittableRandom rnd = Seeds.random(s.seed(), "key-em", layer, head, r);
            Stage stage = trainStage(residual, data.normSq(), n, pairs, s, r, rnd);
            System.arraycopy(stage.theta, 0, theta, r * stage.theta.length, stage.theta.length);
            StageTables tables = new StageTables(stage.theta, pairs, s.entries());
            Workers.parallelFor(n, 256, t -> tables.subtract(stage.codes[t], residual, t * width));
            stageLoss[r + 1] = stage.loss / ((double) n * width);
            iterationsRun[r] = stage.iterations;
            stageDone.accept(r);
        }
        return new HeadResult(theta, stageLoss, iterationsRun);
    }

    private record Stage(float[] theta, int[] codes, double loss, int iterations) {
    }

    private static Stage trainStage(float[] residual, float[] normSq, int n, int pairs, Settings s, int r,
                                    SplittableRandom rnd) {
        int entries = s.entries();
        float[] theta = KeyEmInit.initialTheta(residual, n, pairs, entries, s.initTokens(), rnd);
        double scale = TemperatureSchedule.stageScale(r);
        double best = Double.POSITIVE_INFINITY;
        double reference = Double.POSITIVE_INFINITY;
        float[] bestTheta = theta;
        int[] bestCodes = null;
        int stale = 0;
        int t = 0;
        int[] codes = new int[n];
        while (t < s.iterations()) {
            double tau = TemperatureSchedule.temperature(scale, t, s.iterations());
            KeyEmStatistics stats = eStep(residual, normSq, n, new StageTables(theta, pairs, entries), tau, codes);
            t++;
            if (stats.hardLoss < best) {
                best = stats.hardLoss;
                bestTheta = theta;
                bestCodes = codes.clone();
            }
            if (best < reference * (1 - MIN_GAIN)) {
                reference = best;
                stale = 0;
            } else if (++stale >= PATIENCE) {
                break;
            }
            if (t < s.iterations()) {
                theta = KeyMStep.solve(stats, pairs, theta);
            }
        }
        return new Stage(bestTheta, bestCodes, best, t);
    }

    /**
     * One E-step over all tokens: soft weights at temperature τ (τ = 0: one-hot on the nearest codeword), the hard
     * loss Σ s²·min D², and each token's nearest code into {@code codes}.
     */
    static KeyEmStatistics eStep(float[] residual, float[] normSq, int n, StageTables tables, double tau,
                                 int[] codes) {
        int pairs = tables.pairs;
        int entries = tables.entries;
        int width = 2 * pairs;
        int tasks = (n + TOKENS_PER_TASK - 1) / TOKENS_PER_TASK;
        KeyEmStatistics[] parts = new KeyEmStatistics[tasks];
        Workers.parallelFor(tasks, 1, task -> {
            KeyEmStatistics stats = new KeyEmStatistics(entries, pairs);
            KeyDistances dist = new KeyDistances(pairs, entries);
            int[] chosen = new int[entries * entries];
            double[] weights = new double[entries * entries];
            int end = Math.min(n, (task + 1) * TOKENS_PER_TASK);
            for (int t = task * TOKENS_PER_TASK; t < end; t++) {
                float min = dist.compute(tables, residual, t * width);
                int code = dist.argmin(min);
                codes[t] = code;
                double minSq = Math.max(0, min);
                stats.hardLoss += normSq[t] * minSq;
                int count;
                if (tau == 0) {
                    chosen[0] = code;
                    weights[0] = 1;
                    count = 1;
                } else {
                    count = softWeights(dist, Math.sqrt(minSq), tau, chosen, weights);
                }
                stats.add(residual, t * width, chosen, weights, count);
            }
            parts[task] = stats;
        });
        KeyEmStatistics total = new KeyEmStatistics(entries, pairs);
        for (KeyEmStatistics part : parts) {
            total.merge(part);
        }
        return total;
    }

    /** softmax(−D/τ) over the codes within CUTOFF·τ of the nearest; returns how many. */
    private static int softWeights(KeyDistances dist, double dMin, double tau, int[] chosen, double[] weights) {
        double reach = dMin + CUTOFF * tau;
        int count = dist.within((float) Math.nextUp((float) (reach * reach)), chosen);
        if (count > MAX_SOFT) {
            count = dist.within(dist.smallest(chosen, count, MAX_SOFT), chosen);
        }
        double sum = 0;
        for (int i = 0; i < count; i++) {
            double d = Math.sqrt(Math.max(0, dist.d2[chosen[i]]));
            double w = Math.exp(-(Math.max(0, d - dMin)) / tau);
            weights[i] = w;
            sum += w;
        }
        for (int i = 0; i < count; i++) {
            weights[i] /= sum;
        }
        return count;
    }
}
