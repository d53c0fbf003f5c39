package org.commvq.cache.train;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;
import org.commvq.cache.Workers;

/**
 * The "e2e" alternative to {@link KeyEmTrainer}: the same θ [R][P][C][2] trained jointly over all stages by Adam on
 * the reconstruction error of the greedy encoder the cache uses, L = mean_n s_n²·‖e_n − Σ_r w_r(c_r)‖². The codes
 * are hard (each batch is encoded with the current θ), so the gradient flows to the entries A and B each code
 * picked: w_p = (x_A − y_B, y_A + x_B) gives ∂L/∂x_A = g_x, ∂y_A = g_y, ∂y_B = −g_x, ∂x_B = g_y per pair, with
 * g = −2·s²·residual/batch. Commutativity is kept by construction, since only θ is learned.
 *
 * <p>Start: per stage, the least-squares projection of C² random residual rows onto the commutative structure
 * (φ = Tᵀm/2C), stage by stage on the greedy residuals. Residuals shrink by orders of magnitude over the stages
 * while Adam's step is about lr whatever the gradient, so each stage is learned as θ_r = σ_r·ψ_r with σ_r the RMS of
 * its start, and Adam updates ψ.
 */
public final class KeyE2eTrainer {
    private static final int TOKENS_PER_TASK = 128;

    /**
     * @param epochs passes over the tokens
     * @param batch  tokens per Adam step
     */
    public record Settings(int stages, int epochs, int entries, long seed, double learningRate, int batch) {
        public Settings {
            if (stages < 1 || epochs < 0 || entries < 1 || batch < 1 || !(learningRate > 0)) {
                throw new IllegalArgumentException("e2e key training needs positive stages, entries, batch and"
                        + " learning rate, and epochs >= 0");
            }
        }
    }

    private KeyE2eTrainer() {
    }

    /** Trains all stages jointly; {@code epochDone} hears each finished epoch's index. */
    public static KeyEmTrainer.HeadResult train(KeyHeadData data, Settings s, int layer, int head,
                                                IntConsumer epochDone) {
        int pairs = data.pairs();
        int entries = s.entries();
        int stageSize = pairs * 2 * entries;
        float[] theta = initialTheta(data, s, layer, head);
        float[] sigma = new float[s.stages()];
        float[] psi = new float[theta.length];
        for (int r = 0; r < s.stages(); r++) {
            double sq = 0;
            for (int i = r * stageSize; i < (r + 1) * stageSize; i++) {
                sq += (double) theta[i] * theta[i];
            }
            sigma[r] = sq > 0 ? (float) Math.sqrt(sq / stageSize) : 1f;
            for (int i = r * stageSize; i < (r + 1) * stageSize; i++) {
                psi[i] = theta[i] / sigma[r];
            }
        }
        Adam adam = new Adam(psi.length, 0.9, 0.999, 1e-8);
        int n = data.tokens();
        int[] order = new int[n];
        float[] grad = new float[psi.length];
        for (int epoch = 0; epoch < s.epochs(); epoch++) {
            Seeds.permutation(order, Seeds.random(s.seed(), "key-e2e-order", layer, head, epoch));
            for (int from = 0; from < n; from += s.batch()) {
                int count = Math.min(s.batch(), n - from);
                StageTables[] tables = tables(scaled(psi, sigma, stageSize), s.stages(), pairs, entries);
                batchGradient(data, order, from, count, tables, grad);
                for (int r = 0; r < s.stages(); r++) {
                    for (int i = r * stageSize; i < (r + 1) * stageSize; i++) {
                        grad[i] *= sigma[r];
                    }
                }
                adam.step(psi, grad, s.learningRate(), 0, 0);
            }
            epochDone.accept(epoch);
        }
        float[] trained = scaled(psi, sigma, stageSize);
        return new KeyEmTrainer.HeadResult(trained, stageLosses(data, trained, s.stages(), entries),
                new int[s.stages()]);
    }

    private static float[] initialTheta(KeyHeadData data, Settings s, int layer, int head) {
        int pairs = data.pairs();
        int n = data.tokens();
        int width = 2 * pairs;
        int entries = s.entries();
        int centers = entries * entries;
        float[] residual = data.unit().clone();
        float[] theta = new float[s.stages() * pairs * 2 * entries];
        int[] codes = new int[n];
        int[] one = new int[1];
        double[] unitWeight = {1.0};
        for (int r = 0; r < s.stages(); r++) {
            SplittableRandom rnd = Seeds.random(s.seed(), "key-e2e-init", layer, head, r);
            KeyEmStatistics stats = new KeyEmStatistics(entries, pairs);
            for (int c = 0; c < centers; c++) {
                one[0] = c;
                stats.add(residual, rnd.nextInt(n) * width, one, unitWeight, 1);
            }
            float[] stage = KeyMStep.solve(stats, pairs, new float[pairs * 2 * entries]);
            System.arraycopy(stage, 0, theta, r * stage.length, stage.length);
            StageTables t = new StageTables(stage, pairs, entries);
            KeyEmTrainer.eStep(residual, data.normSq(), n, t, 0, codes);
            Workers.parallelFor(n, 256, i -> t.subtract(codes[i], residual, i * width));
        }
        return theta;
    }

    /** grad = ∂L/∂θ over one batch, summed per task and then in task order. */
    private static void batchGradient(KeyHeadData data, int[] order, int from, int count, StageTables[] tables,
                                      float[] grad) {
        int pairs = data.pairs();
        int width = 2 * pairs;
        int entries = tables[0].entries;
        int stageSize = pairs * 2 * entries;
        int tasks = (count + TOKENS_PER_TASK - 1) / TOKENS_PER_TASK;
        float[][] parts = new float[tasks][];
        Workers.parallelFor(tasks, 1, task -> {
            float[] g = new float[grad.length];
            KeyDistances dist = new KeyDistances(pairs, entries);
            float[] res = new float[width];
            int[] codes = new int[tables.length];
            int end = Math.min(count, (task + 1) * TOKENS_PER_TASK);
            for (int i = task * TOKENS_PER_TASK; i < end; i++) {
                int t = order[from + i];
                System.arraycopy(data.unit(), t * width, res, 0, width);
                for (int r = 0; r < tables.length; r++) {
                    codes[r] = dist.argmin(dist.compute(tables[r], res, 0));
                    tables[r].subtract(codes[r], res, 0);
                }
                float scale = -2f * data.normSq()[t] / count;
                for (int r = 0; r < tables.length; r++) {
                    int a = codes[r] / entries;
                    int b = codes[r] % entries;
                    for (int p = 0; p < pairs; p++) {
                        float gx = scale * res[2 * p];
                        float gy = scale * res[2 * p + 1];
                        int base = r * stageSize + p * 2 * entries;
                        g[base + 2 * a] += gx;
                        g[base + 2 * a + 1] += gy;
                        g[base + 2 * b + 1] -= gx;
                        g[base + 2 * b] += gy;
                    }
                }
            }
            parts[task] = g;
        });
        Arrays.fill(grad, 0f);
        for (float[] part : parts) {
            for (int i = 0; i < grad.length; i++) {
                grad[i] += part[i];
            }
        }
    }

    /** Mean squared error per element in raw units before any stage and after each, by greedy hard encoding. */
    static double[] stageLosses(KeyHeadData data, float[] theta, int stages, int entries) {
        int pairs = data.pairs();
        int n = data.tokens();
        int width = 2 * pairs;
        double[] loss = new double[stages + 1];
        loss[0] = data.rawEnergy() / ((double) n * width);
        float[] residual = data.unit().clone();
        int[] codes = new int[n];
        StageTables[] tables = tables(theta, stages, pairs, entries);
        for (int r = 0; r < stages; r++) {
            StageTables t = tables[r];
            loss[r + 1] = KeyEmTrainer.eStep(residual, data.normSq(), n, t, 0, codes).hardLoss / ((double) n * width);
            Workers.parallelFor(n, 256, i -> t.subtract(codes[i], residual, i * width));
        }
        return loss;
    }

    private static StageTables[] tables(float[] theta, int stages, int pairs, int entries) {
        int size = pairs * 2 * entries;
        StageTables[] out = new StageTables[stages];
        for (int r = 0; r < stages; r++) {
            out[r] = new StageTables(Arrays.copyOfRange(theta, r * size, (r + 1) * size), pairs, entries);
        }
        return out;
    }

    private static float[] scaled(float[] psi, float[] sigma, int stageSize) {
        float[] theta = new float[psi.length];
        for (int i = 0; i < psi.length; i++) {
            theta[i] = psi[i] * sigma[i / stageSize];
        }
        return theta;
    }
}
