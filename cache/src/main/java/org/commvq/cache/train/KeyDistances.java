package org.commvq.cache.train;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Squared distances from one residual e to all C² codewords of a stage through the separable form
 * ‖e − w(A,B)‖² = ‖e‖² + (a_A − 2U_A) + (a_B − 2V_B) + X_{A,B}, with U_A = Σ_p Re(conj(e_p)·z_{p,A}) and
 * V_B = Σ_p Re(conj(e_p)·i·z_{p,B}): two C-entry projections and a C×C table pass instead of C² distances of 2P
 * dims. Every value is one lane of a fixed chain of operations (no cross-lane sums), so it does not depend on the
 * thread or on whether the JIT compiled the code. Not thread-safe: one instance per task.
 */
final class KeyDistances {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    private static final VectorMask<Float> ODD_LANES = VectorMask.fromLong(SPECIES, 0xAAAAAAAAAAAAAAAAL);

    final float[] d2;
    private final float[] selection;
    private final int pairs;
    private final int entries;
    private final float[] patternU;
    private final float[] patternV;
    private final float[] accU;
    private final float[] accV;
    private final float[] termA;
    private final float[] termB;

    KeyDistances(int pairs, int entries) {
        if ((2 * entries) % LANES != 0 || entries % LANES != 0) {
            throw new IllegalArgumentException("table entries must be a multiple of " + LANES + ", got " + entries);
        }
        this.pairs = pairs;
        this.entries = entries;
        this.d2 = new float[entries * entries];
        this.selection = new float[entries * entries];
        this.patternU = new float[pairs * LANES];
        this.patternV = new float[pairs * LANES];
        this.accU = new float[2 * entries];
        this.accV = new float[2 * entries];
        this.termA = new float[entries];
        this.termB = new float[entries];
    }

    /** Fills {@link #d2} (code C·A + B) for e = x[off..off+2P); returns the smallest value (may be slightly < 0). */
    float compute(StageTables t, float[] x, int off) {
        float e2 = 0;
        for (int i = 0; i < 2 * pairs; i++) {
            e2 = Math.fma(x[off + i], x[off + i], e2);
        }
        for (int p = 0; p < pairs; p++) {
            float ex = x[off + 2 * p];
            float ey = x[off + 2 * p + 1];
            FloatVector.broadcast(SPECIES, ex).blend(ey, ODD_LANES).intoArray(patternU, p * LANES);
            FloatVector.broadcast(SPECIES, ey).blend(-ex, ODD_LANES).intoArray(patternV, p * LANES);
        }
        int width = 2 * entries;
        for (int c = 0; c < width; c += LANES) {
            FloatVector u = FloatVector.zero(SPECIES);
            FloatVector v = FloatVector.zero(SPECIES);
            for (int p = 0; p < pairs; p++) {
                FloatVector z = FloatVector.fromArray(SPECIES, t.theta, p * width + c);
                u = z.fma(FloatVector.fromArray(SPECIES, patternU, p * LANES), u);
                v = z.fma(FloatVector.fromArray(SPECIES, patternV, p * LANES), v);
            }
            u.intoArray(accU, c);
            v.intoArray(accV, c);
        }
        for (int j = 0; j < entries; j++) {
            termA[j] = t.energy[j] - 2f * (accU[2 * j] + accU[2 * j + 1]) + e2;
            termB[j] = t.energy[j] - 2f * (accV[2 * j] + accV[2 * j + 1]);
        }
        FloatVector min = FloatVector.broadcast(SPECIES, Float.POSITIVE_INFINITY);
        for (int a = 0; a < entries; a++) {
            FloatVector ta = FloatVector.broadcast(SPECIES, termA[a]);
            int row = a * entries;
            for (int b = 0; b < entries; b += LANES) {
                FloatVector d = FloatVector.fromArray(SPECIES, t.cross, row + b)
                        .add(FloatVector.fromArray(SPECIES, termB, b)).add(ta);
                d.intoArray(d2, row + b);
                min = min.min(d);
            }
        }
        return min.reduceLanes(VectorOperators.MIN);
    }

    /** The first code whose distance equals {@code min}. */
    int argmin(float min) {
        FloatVector m = FloatVector.broadcast(SPECIES, min);
        for (int c = 0; c < d2.length; c += LANES) {
            VectorMask<Float> hit = FloatVector.fromArray(SPECIES, d2, c).compare(VectorOperators.EQ, m);
            if (hit.anyTrue()) {
                return c + hit.firstTrue();
            }
        }
        throw new IllegalStateException("residual is not finite");
    }

    /**
     * The k-th smallest squared distance among codes[0..count), by quickselect on a copy (codes keep their order).
     * Ties at that value may let {@link #within} return a few more than k codes.
     */
    float smallest(int[] codes, int count, int k) {
        for (int i = 0; i < count; i++) {
            selection[i] = d2[codes[i]];
        }
        int lo = 0;
        int hi = count - 1;
        int target = k - 1;
        while (lo < hi) {
            float pivot = median(selection[lo], selection[(lo + hi) >>> 1], selection[hi]);
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (selection[i] < pivot) {
                    i++;
                }
                while (selection[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    float tmp = selection[i];
                    selection[i] = selection[j];
                    selection[j] = tmp;
                    i++;
                    j--;
                }
            }
            if (target <= j) {
                hi = j;
            } else if (target >= i) {
                lo = i;
            } else {
                break;
            }
        }
        return selection[target];
    }

    private static float median(float a, float b, float c) {
        return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    }

    /** Codes whose squared distance is at most {@code limit}, in code order, into out; returns how many. */
    int within(float limit, int[] out) {
        FloatVector l = FloatVector.broadcast(SPECIES, limit);
        int n = 0;
        for (int c = 0; c < d2.length; c += LANES) {
            long bits = FloatVector.fromArray(SPECIES, d2, c).compare(VectorOperators.LE, l).toLong();
            while (bits != 0) {
                out[n++] = c + Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
            }
        }
        return n;
    }
}
