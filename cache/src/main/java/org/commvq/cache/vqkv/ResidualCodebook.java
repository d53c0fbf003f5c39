package org.commvq.cache.vqkv;

import java.util.Arrays;
import java.util.List;

/**
 * A residual vector quantizer (VQKV's RSimVQ at inference): stage i holds the effective codebook C_i = W_i·Q_i
 * (S_i × D), precomputed where it was trained. Encoding is greedy: z_i = argmin_j ‖e_i − C_i[j]‖,
 * e_{i+1} = e_i − C_i[z_i]; decoding is Σ_i C_i[z_i]. Each vector is encoded on its own, so encoding a batch gives
 * the same codes as encoding its vectors one at a time.
 */
public final class ResidualCodebook {
    private final int dim;
    private final Codewords[] stages;

    /** @param stageRows each stage's codewords, S_i rows of {@code dim} floats, row-major */
    public ResidualCodebook(int dim, List<float[]> stageRows) {
        if (stageRows.isEmpty()) {
            throw new IllegalArgumentException("a residual codebook needs at least one stage");
        }
        this.dim = dim;
        this.stages = new Codewords[stageRows.size()];
        for (int i = 0; i < stages.length; i++) {
            float[] rows = stageRows.get(i);
            if (rows.length % dim != 0) {
                throw new IllegalArgumentException("stage " + i + " has " + rows.length
                        + " floats, not a whole number of " + dim + "-dim codewords");
            }
            stages[i] = new Codewords(rows.length / dim, dim, rows.clone());
        }
    }

    ResidualCodebook(int dim, Codewords[] stages) {
        this.dim = dim;
        this.stages = stages.clone();
    }

    public int dim() {
        return dim;
    }

    public int stages() {
        return stages.length;
    }

    /** S_i, the number of codewords of stage i. */
    public int size(int stage) {
        return stages[stage].size();
    }

    public int[] sizes() {
        int[] s = new int[stages.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = stages[i].size();
        }
        return s;
    }

    /** Bits of stage i's index when packed at its exact width, ⌈log2 S_i⌉. */
    public int indexBits(int stage) {
        return VqkvAccounting.indexBits(stages[stage].size());
    }

    /** Bits of all indices of one vector. */
    public int bits() {
        int b = 0;
        for (int i = 0; i < stages.length; i++) {
            b += indexBits(i);
        }
        return b;
    }

    /** A copy of stage i's codewords, row-major. */
    public float[] codewords(int stage) {
        return stages[stage].rows().clone();
    }

    /** Floats held by all stages. */
    public long parameters() {
        long n = 0;
        for (Codewords c : stages) {
            n += (long) c.size() * dim;
        }
        return n;
    }

    /** Greedy residual encoding of x[off..off+dim) into codes[codesOff..codesOff+stages). */
    public void encode(float[] x, int off, int[] codes, int codesOff) {
        float[] e = new float[dim];
        System.arraycopy(x, off, e, 0, dim);
        for (int i = 0; i < stages.length; i++) {
            int z = stages[i].nearest(e, 0);
            stages[i].subtract(z, e, 0);
            codes[codesOff + i] = z;
        }
    }

    /** out[outOff..outOff+dim) = Σ_i C_i[codes[codesOff+i]]. */
    public void decode(int[] codes, int codesOff, float[] out, int outOff) {
        Arrays.fill(out, outOff, outOff + dim, 0f);
        for (int i = 0; i < stages.length; i++) {
            int z = codes[codesOff + i];
            if (z < 0 || z >= stages[i].size()) {
                throw new IllegalArgumentException("stage " + i + " index " + z + " is outside 0.." + (stages[i].size() - 1));
            }
            stages[i].add(z, out, outOff);
        }
    }

    Codewords stage(int i) {
        return stages[i];
    }
}
