package org.commvq.cache.commvq;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.commvq.cache.Workers;

/**
 * Attention output over compressed values without decoding them (spec §1.5):
 * <pre>
 *   acc_row[j] = Σ_n a_{row,n}·σ_n·b_n[j]        o_row = (acc_row · E[:, g·d:(g+1)·d]) ⊙ (λ+eps)[g·d:(g+1)·d]
 * </pre>
 * acc is formed with the byte-histogram trick of §1.5: for every byte position β of the codes, hist[β][byte][row]
 * += a·σ, one vector add per (token, byte) covering up to 32 rows, then acc[8β+k] is the sum of the bins whose
 * pattern has bit k set. Work is split by byte position, so threads never share a histogram.
 */
final class CommVqBitDomainValues {
    private static final VectorSpecies<Float> S = CommVqVectors.SPECIES;
    private static final int ROWS_PER_PASS = 32;
    private static final int BYTES_PER_TASK = 8;
    private static final int BLOCKS_PER_CHUNK = 8;
    private static final int PATTERNS = 256;

    private float[] weights = new float[0];
    private float[] histogram = new float[0];
    private float[] acc = new float[0];

    /** rowOut[row·d ..] = compressed-region output of every row; probs[row·stride + n] are softmax weights. */
    void compute(CommVqValueCodec codec, CommVqLayerStore store, CommVqQueryRows q, float[] probs, int stride,
                 float[] rowOut) {
        int blocks = store.blocks();
        int bytes = store.valueBytes();
        int codeBits = 8 * bytes;
        int tokens = store.compressed();
        int passRows = Math.min(ROWS_PER_PASS, q.rows);
        if (weights.length < tokens * passRows) {
            weights = new float[tokens * passRows];
        }
        if (histogram.length < bytes * PATTERNS * passRows) {
            histogram = new float[bytes * PATTERNS * passRows];
        }
        if (acc.length < q.rows * codeBits) {
            acc = new float[q.rows * codeBits];
        }
        float[] w = weights;
        float[] hist = histogram;
        float[] bitSums = acc;
        for (int r0 = 0; r0 < q.rows; r0 += ROWS_PER_PASS) {
            int first = r0;
            int cr = Math.min(ROWS_PER_PASS, q.rows - r0);
            Workers.parallelFor(blocks, 1, b -> {
                short[] scales = store.valueScales(b);
                for (int t = 0; t < CommVqLayerStore.BLOCK; t++) {
                    int pos = b * CommVqLayerStore.BLOCK + t;
                    float sigma = Float.float16ToFloat(scales[t]);
                    for (int k = 0; k < cr; k++) {
                        w[pos * cr + k] = probs[(first + k) * stride + pos] * sigma;
                    }
                }
            });
            int tasks = (bytes + BYTES_PER_TASK - 1) / BYTES_PER_TASK;
            Workers.parallelFor(tasks, 1, task -> {
                int beta0 = task * BYTES_PER_TASK;
                int beta1 = Math.min(bytes, beta0 + BYTES_PER_TASK);
                accumulate(store, w, cr, hist, beta0, beta1);
                float[] lanes = new float[S.length()];
                for (int beta = beta0; beta < beta1; beta++) {
                    bitMarginals(hist, beta * PATTERNS * cr, cr, bitSums, first, codeBits, beta, lanes);
                }
            });
        }
        project(codec, q, bitSums, codeBits, rowOut);
    }

    /**
     * rowOut[row] = (acc_row · E[:, g·d:(g+1)·d]) ⊙ (λ+eps) for every row. A task takes up to four rows of one KV
     * group and one lane slice of the head, so each slice of E is loaded once for the four rows.
     */
    private static void project(CommVqValueCodec codec, CommVqQueryRows q, float[] bitSums, int codeBits,
                                float[] rowOut) {
        int headDim = q.headDim;
        float[] embedding = codec.embedding();
        float[] scale = codec.scalePlusEps();
        int width = codec.featureDim();
        int groups = q.rowsOfKvHead.length;
        int mostRows = 0;
        for (int[] groupRows : q.rowsOfKvHead) {
            mostRows = Math.max(mostRows, groupRows.length);
        }
        int quads = (mostRows + 3) / 4;
        int lanes = S.length();
        int slices = (headDim + lanes - 1) / lanes;
        Workers.parallelFor(groups * quads * slices, 1, task -> {
            int[] groupRows = q.rowsOfKvHead[task / (quads * slices)];
            int first = (task / slices % quads) * 4;
            if (first >= groupRows.length) {
                return;
            }
            int count = Math.min(4, groupRows.length - first);
            int i0 = (task % slices) * lanes;
            int col = (task / (quads * slices)) * headDim;
            if (i0 + lanes <= headDim) {
                int r0 = groupRows[first];
                int r1 = groupRows[first + Math.min(1, count - 1)];
                int r2 = groupRows[first + Math.min(2, count - 1)];
                int r3 = groupRows[first + Math.min(3, count - 1)];
                FloatVector a0 = FloatVector.zero(S);
                FloatVector a1 = FloatVector.zero(S);
                FloatVector a2 = FloatVector.zero(S);
                FloatVector a3 = FloatVector.zero(S);
                for (int j = 0; j < codeBits; j++) {
                    FloatVector e = FloatVector.fromArray(S, embedding, j * width + col + i0);
                    a0 = e.fma(FloatVector.broadcast(S, bitSums[r0 * codeBits + j]), a0);
                    a1 = e.fma(FloatVector.broadcast(S, bitSums[r1 * codeBits + j]), a1);
                    a2 = e.fma(FloatVector.broadcast(S, bitSums[r2 * codeBits + j]), a2);
                    a3 = e.fma(FloatVector.broadcast(S, bitSums[r3 * codeBits + j]), a3);
                }
                FloatVector lambda = FloatVector.fromArray(S, scale, col + i0);
                a0.mul(lambda).intoArray(rowOut, r0 * headDim + i0);
                a1.mul(lambda).intoArray(rowOut, r1 * headDim + i0);
                a2.mul(lambda).intoArray(rowOut, r2 * headDim + i0);
                a3.mul(lambda).intoArray(rowOut, r3 * headDim + i0);
                return;
            }
            for (int k = 0; k < count; k++) {
                int row = groupRows[first + k];
                for (int i = i0; i < headDim; i++) {
                    float a = 0;
                    for (int j = 0; j < codeBits; j++) {
                        a = Math.fma(embedding[j * width + col + i], bitSums[row * codeBits + j], a);
                    }
                    rowOut[row * headDim + i] = a * scale[col + i];
                }
            }
        });
    }

    /** hist[β][byte][0..cr) += w[n][0..cr) for every compressed token n and β in [beta0, beta1). */
    private static void accumulate(CommVqLayerStore store, float[] w, int cr, float[] hist, int beta0, int beta1) {
        Arrays.fill(hist, beta0 * PATTERNS * cr, beta1 * PATTERNS * cr, 0f);
        int vectorRows = S.loopBound(cr);
        int blocks = store.blocks();
        for (int c0 = 0; c0 < blocks; c0 += BLOCKS_PER_CHUNK) {
            int c1 = Math.min(blocks, c0 + BLOCKS_PER_CHUNK);
            for (int beta = beta0; beta < beta1; beta++) {
                int hb = beta * PATTERNS * cr;
                int src = beta * CommVqLayerStore.BLOCK;
                for (int b = c0; b < c1; b++) {
                    byte[] bits = store.valueBits(b);
                    int wb = b * CommVqLayerStore.BLOCK * cr;
                    for (int t = 0; t < CommVqLayerStore.BLOCK; t++) {
                        int h = hb + (bits[src + t] & 0xFF) * cr;
                        int wt = wb + t * cr;
                        int k = 0;
                        for (; k < vectorRows; k += S.length()) {
                            FloatVector.fromArray(S, hist, h + k).add(FloatVector.fromArray(S, w, wt + k))
                                    .intoArray(hist, h + k);
                        }
                        for (; k < cr; k++) {
                            hist[h + k] += w[wt + k];
                        }
                    }
                }
            }
        }
    }

    /**
     * acc[row][8β + k] = Σ over patterns with bit k set of hist[β][pattern][row], for bits 7..0 by folding: the
     * upper half of the bins is bit k's sum, then the upper half is added onto the lower half (bit k marginalized).
     * Destroys the histogram of β.
     */
    private static void bitMarginals(float[] hist, int hb, int cr, float[] acc, int firstRow, int codeBits, int beta,
                                     float[] lanes) {
        int k0 = 0;
        for (; k0 + S.length() <= cr; k0 += S.length()) {
            for (int bit = 7; bit >= 0; bit--) {
                int half = 1 << bit;
                FloatVector m = FloatVector.zero(S);
                for (int x = half; x < 2 * half; x++) {
                    FloatVector hx = FloatVector.fromArray(S, hist, hb + x * cr + k0);
                    m = m.add(hx);
                    FloatVector.fromArray(S, hist, hb + (x - half) * cr + k0).add(hx)
                            .intoArray(hist, hb + (x - half) * cr + k0);
                }
                m.intoArray(lanes, 0);
                for (int k = 0; k < S.length(); k++) {
                    acc[(firstRow + k0 + k) * codeBits + 8 * beta + bit] = lanes[k];
                }
            }
        }
        for (; k0 < cr; k0++) {
            for (int bit = 7; bit >= 0; bit--) {
                int half = 1 << bit;
                float m = 0;
                for (int x = half; x < 2 * half; x++) {
                    float hx = hist[hb + x * cr + k0];
                    m += hx;
                    hist[hb + (x - half) * cr + k0] += hx;
                }
                acc[(firstRow + k0) * codeBits + 8 * beta + bit] = m;
            }
        }
    }
}
