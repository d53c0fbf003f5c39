package org.commvq.cache.commvq;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import org.commvq.cache.Workers;

/**
 * Greedy residual encoding of pre-RoPE keys with the CommVQ key codebooks (spec §1.2). One norm s = ‖k‖ over all KV
 * heads of the token; each head's slice of k/s is encoded on its own, stage by stage, by hard argmin over the 4096
 * codewords of the stage.
 *
 * <p>The fast search uses ‖e − w(A,B)‖² = ‖e‖² − 2(U_A + V_B) + a_A + a_B + X_{A,B}: two 64-entry projections of
 * the residual and a 64×64 table lookup instead of 4096 128-dim distances. Every float operation runs in a fixed
 * order (no cross-lane reductions), so a token gets the same codes alone, in any block, on any thread count.
 */
public final class CommVqKeyEncoder {
    private static final int TOKENS_PER_TASK = 8;
    private static final VectorMask<Float> ODD_LANES = VectorMask.fromLong(CommVqVectors.SPECIES, 0xAAAAAAAAAAAAAAAAL);

    private final CommVqKeyCodebook codebook;
    private final int pairs;
    private final int stages;
    private final int kvHeads;

    public CommVqKeyEncoder(CommVqKeyCodebook codebook) {
        this.codebook = codebook;
        this.pairs = codebook.pairs();
        this.stages = codebook.stages();
        this.kvHeads = codebook.kvHeads();
    }

    public CommVqKeyCodebook codebook() {
        return codebook;
    }

    /**
     * Encodes {@code tokens} keys {@code keys[keysOff + t·F ..]} (F = kvHeads·2P, interleaved): norms[normsOff + t]
     * and codes[codesOff + (t·kvHeads + h)·R + r].
     */
    public void encode(int layer, float[] keys, int keysOff, int tokens, float[] norms, int normsOff, int[] codes,
                       int codesOff) {
        int width = kvHeads * 2 * pairs;
        int tasks = (tokens + TOKENS_PER_TASK - 1) / TOKENS_PER_TASK;
        Workers.parallelFor(tasks, 1, task -> {
            Scratch scratch = new Scratch();
            int end = Math.min(tokens, (task + 1) * TOKENS_PER_TASK);
            for (int t = task * TOKENS_PER_TASK; t < end; t++) {
                norms[normsOff + t] = encodeToken(layer, keys, keysOff + t * width,
                        codes, codesOff + t * kvHeads * stages, scratch);
            }
        });
    }

    /** Encodes one token's key; returns its norm. A zero key gets norm 0 and all-zero codes (spec §3.3). */
    public float encodeToken(int layer, float[] key, int off, int[] codes, int codesOff) {
        return encodeToken(layer, key, off, codes, codesOff, new Scratch());
    }

    private float encodeToken(int layer, float[] key, int off, int[] codes, int codesOff, Scratch scratch) {
        int width = kvHeads * 2 * pairs;
        double sq = 0;
        for (int i = 0; i < width; i++) {
            sq += (double) key[off + i] * key[off + i];
        }
        float norm = (float) Math.sqrt(sq);
        if (!Float.isFinite(norm)) {
            throw new IllegalArgumentException("key of layer " + layer + " has a non-finite norm " + norm);
        }
        if (norm == 0f) {
            Arrays.fill(codes, codesOff, codesOff + kvHeads * stages, 0);
            return 0f;
        }
        for (int h = 0; h < kvHeads; h++) {
            int base = off + h * 2 * pairs;
            for (int p = 0; p < pairs; p++) {
                scratch.ex[p] = key[base + 2 * p] / norm;
                scratch.ey[p] = key[base + 2 * p + 1] / norm;
            }
            encodeResidual(layer, h, scratch, codes, codesOff + h * stages);
        }
        return norm;
    }

    /** Fast exact search for one head: {@code unit} is the head's slice of k/s, interleaved. */
    public void encodeHead(int layer, int head, float[] unit, int off, int[] codes, int codesOff) {
        Scratch scratch = new Scratch();
        for (int p = 0; p < pairs; p++) {
            scratch.ex[p] = unit[off + 2 * p];
            scratch.ey[p] = unit[off + 2 * p + 1];
        }
        encodeResidual(layer, head, scratch, codes, codesOff);
    }

    private void encodeResidual(int layer, int head, Scratch s, int[] codes, int codesOff) {
        float[] th = codebook.theta(layer, head);
        float[] cross = codebook.cross(layer, head);
        float[] energy = codebook.energy(layer, head);
        int lanes = CommVqVectors.LANES;
        int width = 2 * CommVqKeyCodebook.ENTRIES;
        for (int r = 0; r < stages; r++) {
            for (int p = 0; p < pairs; p++) {
                FloatVector.broadcast(CommVqVectors.SPECIES, s.ex[p]).blend(s.ey[p], ODD_LANES)
                        .intoArray(s.patternU, p * lanes);
                FloatVector.broadcast(CommVqVectors.SPECIES, s.ey[p]).blend(-s.ex[p], ODD_LANES)
                        .intoArray(s.patternV, p * lanes);
            }
            int stageBase = r * pairs * width;
            for (int c = 0; c < width; c += lanes) {
                FloatVector u = FloatVector.zero(CommVqVectors.SPECIES);
                FloatVector v = FloatVector.zero(CommVqVectors.SPECIES);
                for (int p = 0; p < pairs; p++) {
                    FloatVector z = FloatVector.fromArray(CommVqVectors.SPECIES, th, stageBase + p * width + c);
                    u = z.fma(FloatVector.fromArray(CommVqVectors.SPECIES, s.patternU, p * lanes), u);
                    v = z.fma(FloatVector.fromArray(CommVqVectors.SPECIES, s.patternV, p * lanes), v);
                }
                u.intoArray(s.accU, c);
                v.intoArray(s.accV, c);
            }
            for (int j = 0; j < CommVqKeyCodebook.ENTRIES; j++) {
                float e = energy[r * CommVqKeyCodebook.ENTRIES + j];
                s.termA[j] = e - 2f * (s.accU[2 * j] + s.accU[2 * j + 1]);
                s.termB[j] = e - 2f * (s.accV[2 * j] + s.accV[2 * j + 1]);
            }
            int code = argmin(cross, r * CommVqKeyCodebook.CODES, s);
            codes[codesOff + r] = code;
            subtractCodeword(th, stageBase, code, s);
        }
    }

    /** First (A, B) minimizing (X[A][B] + termB[B]) + termA[A]; min is exact, so lane order cannot matter. */
    private static int argmin(float[] cross, int crossOff, Scratch s) {
        int n = CommVqKeyCodebook.ENTRIES;
        int lanes = CommVqVectors.LANES;
        float best = Float.POSITIVE_INFINITY;
        int bestA = 0;
        for (int a = 0; a < n; a++) {
            FloatVector m = FloatVector.broadcast(CommVqVectors.SPECIES, Float.POSITIVE_INFINITY);
            for (int b = 0; b < n; b += lanes) {
                m = m.min(FloatVector.fromArray(CommVqVectors.SPECIES, cross, crossOff + a * n + b)
                        .add(FloatVector.fromArray(CommVqVectors.SPECIES, s.termB, b)));
            }
            float rowMin = m.reduceLanes(VectorOperators.MIN);
            s.rowMin[a] = rowMin;
            float score = rowMin + s.termA[a];
            if (score < best) {
                best = score;
                bestA = a;
            }
        }
        int rowOff = crossOff + bestA * n;
        for (int b = 0; b < n; b++) {
            if (cross[rowOff + b] + s.termB[b] == s.rowMin[bestA]) {
                return bestA * n + b;
            }
        }
        throw new IllegalStateException("residual is not finite");
    }

    private void subtractCodeword(float[] th, int stageBase, int code, Scratch s) {
        int a = code / CommVqKeyCodebook.ENTRIES;
        int b = code % CommVqKeyCodebook.ENTRIES;
        int width = 2 * CommVqKeyCodebook.ENTRIES;
        for (int p = 0; p < pairs; p++) {
            int base = stageBase + p * width;
            s.ex[p] -= th[base + 2 * a] - th[base + 2 * b + 1];
            s.ey[p] -= th[base + 2 * a + 1] + th[base + 2 * b];
        }
    }

    /**
     * The slow twin of {@link #encodeHead}: at every stage the exact squared distance, in double, to each of the 4096
     * codewords built from θ; the first minimum in code order wins. Test oracle only.
     */
    public void encodeHeadBruteForce(int layer, int head, float[] unit, int off, int[] codes, int codesOff) {
        float[] th = codebook.theta(layer, head);
        int n = CommVqKeyCodebook.ENTRIES;
        double[] ex = new double[pairs];
        double[] ey = new double[pairs];
        for (int p = 0; p < pairs; p++) {
            ex[p] = unit[off + 2 * p];
            ey[p] = unit[off + 2 * p + 1];
        }
        double[] dist = new double[n];
        double[] xs = new double[pairs * n];
        double[] ys = new double[pairs * n];
        for (int r = 0; r < stages; r++) {
            for (int p = 0; p < pairs; p++) {
                int base = ((r * pairs + p) * n) * 2;
                for (int b = 0; b < n; b++) {
                    xs[p * n + b] = th[base + 2 * b];
                    ys[p * n + b] = th[base + 2 * b + 1];
                }
            }
            double best = Double.POSITIVE_INFINITY;
            int bestCode = 0;
            for (int a = 0; a < n; a++) {
                Arrays.fill(dist, 0);
                for (int p = 0; p < pairs; p++) {
                    double gx = ex[p] - xs[p * n + a];
                    double gy = ey[p] - ys[p * n + a];
                    for (int b = 0; b < n; b++) {
                        double dx = gx + ys[p * n + b];
                        double dy = gy - xs[p * n + b];
                        dist[b] += dx * dx + dy * dy;
                    }
                }
                for (int b = 0; b < n; b++) {
                    if (dist[b] < best) {
                        best = dist[b];
                        bestCode = a * n + b;
                    }
                }
            }
            codes[codesOff + r] = bestCode;
            int a = bestCode / n;
            int b = bestCode % n;
            for (int p = 0; p < pairs; p++) {
                int base = ((r * pairs + p) * n) * 2;
                ex[p] -= (double) th[base + 2 * a] - th[base + 2 * b + 1];
                ey[p] -= (double) th[base + 2 * a + 1] + th[base + 2 * b];
            }
        }
    }

    /** Per-task working memory, so encoding allocates once per task and not per token or stage. */
    private final class Scratch {
        final float[] ex = new float[pairs];
        final float[] ey = new float[pairs];
        final float[] patternU = new float[pairs * CommVqVectors.LANES];
        final float[] patternV = new float[pairs * CommVqVectors.LANES];
        final float[] accU = new float[2 * CommVqKeyCodebook.ENTRIES];
        final float[] accV = new float[2 * CommVqKeyCodebook.ENTRIES];
        final float[] termA = new float[CommVqKeyCodebook.ENTRIES];
        final float[] termB = new float[CommVqKeyCodebook.ENTRIES];
        final float[] rowMin = new float[CommVqKeyCodebook.ENTRIES];
    }
}
