package org.commvq.cache.vqkv;

/**
 * One stage's codebook: {@code size} codewords of {@code dim} floats, row-major, with their squared norms kept so the
 * nearest codeword is argmin_j (‖c_j‖² − 2·x·c_j), which has the same argmin as ‖x − c_j‖² without the ‖x‖² term.
 * Ties go to the lowest index, so a search never depends on anything but x.
 */
final class Codewords {
    private final int size;
    private final int dim;
    private final float[] rows;
    private final float[] norms;

    Codewords(int size, int dim, float[] rows) {
        if (size < 1 || dim < 1 || rows.length != (long) size * dim) {
            throw new IllegalArgumentException("codebook of " + size + " × " + dim + " needs " + (long) size * dim
                    + " floats, got " + rows.length);
        }
        this.size = size;
        this.dim = dim;
        this.rows = rows;
        this.norms = new float[size];
        for (int j = 0; j < size; j++) {
            float s = 0;
            for (int d = 0; d < dim; d++) {
                float c = rows[j * dim + d];
                if (!Float.isFinite(c)) {
                    throw new IllegalArgumentException("codeword " + j + " has a non-finite entry " + c);
                }
                s += c * c;
            }
            norms[j] = s;
        }
    }

    int size() {
        return size;
    }

    int dim() {
        return dim;
    }

    /** The backing rows; callers must not modify them. */
    float[] rows() {
        return rows;
    }

    int nearest(float[] x, int off) {
        int best = 0;
        float bestScore = Float.POSITIVE_INFINITY;
        for (int j = 0; j < size; j++) {
            int base = j * dim;
            float dot = 0;
            for (int d = 0; d < dim; d++) {
                dot += x[off + d] * rows[base + d];
            }
            float score = norms[j] - 2 * dot;
            if (score < bestScore) {
                bestScore = score;
                best = j;
            }
        }
        return best;
    }

    /** x[off..off+dim) −= c_j. */
    void subtract(int j, float[] x, int off) {
        int base = j * dim;
        for (int d = 0; d < dim; d++) {
            x[off + d] -= rows[base + d];
        }
    }

    /** x[off..off+dim) += c_j. */
    void add(int j, float[] x, int off) {
        int base = j * dim;
        for (int d = 0; d < dim; d++) {
            x[off + d] += rows[base + d];
        }
    }
}
