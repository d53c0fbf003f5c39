package org.commvq.cache.commvq;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.commvq.cache.Workers;

/**
 * Scores of compressed keys in the code domain, as the official Triton kernel (spec §1.3). Per query row ψ and
 * every (stage r, entry j) one table row of 2P floats:
 * <pre>
 *   Pt[r][j][p] = Re(ψ_p·conj z_{r,p,j}) = q1·x + q2·y      Qt[r][j][p] = Im(ψ_p·conj z_{r,p,j}) = −q1·y + q2·x
 * </pre>
 * (q1, q2 = the pair's components). Per token, SA|SB = Σ_r [Pt|Qt][r][A_r] and TA|TB = Σ_r [Pt|Qt][r][B_r], and
 * logit = (s_n·scale)·Σ_p cos(nω_p)·(SA_p + TB_p) + sin(nω_p)·(SB_p − TA_p): RoPE is applied to the gathered sums.
 * The tables (R·64·2P floats per row) are kept between calls.
 */
final class CommVqCodeDomainKeyLogits {
    private static final VectorSpecies<Float> S = CommVqVectors.SPECIES;

    /** Rows whose tables are held at once; a long prefill chunk has thousands of rows. */
    private static final int ROWS_PER_BATCH = 64;

    private float[] tables = new float[0];

    void compute(CommVqKeyCodebook codebook, int layer, CommVqLayerStore store, CommVqRopeTable rope,
                 CommVqQueryRows q, float scale, float[] logits, int stride) {
        int tableSize = codebook.stages() * CommVqKeyCodebook.ENTRIES * 2 * codebook.pairs();
        int batch = Math.min(ROWS_PER_BATCH, q.rows);
        if (tables.length < batch * tableSize) {
            tables = new float[batch * tableSize];
        }
        float[] t = tables;
        for (int first = 0; first < q.rows; first += batch) {
            int r0 = first;
            Workers.parallelFor(Math.min(batch, q.rows - first), 1, i -> {
                int row = r0 + i;
                buildTable(codebook.rows(layer, q.kvHead[row]), q, row, codebook, t, i * tableSize);
                scoreRow(codebook, store, rope, q.kvHead[row], t, i * tableSize, scale, logits, row * stride);
            });
        }
    }

    private static void buildTable(float[] rows, CommVqQueryRows q, int row, CommVqKeyCodebook codebook,
                                   float[] table, int tableOff) {
        int pairs = codebook.pairs();
        int width = 2 * pairs;
        int entries = codebook.stages() * CommVqKeyCodebook.ENTRIES;
        int qOff = row * width;
        for (int e = 0; e < entries; e++) {
            int src = e * width;
            int dst = tableOff + e * width;
            int p = 0;
            for (int bound = S.loopBound(pairs); p < bound; p += S.length()) {
                FloatVector q1 = FloatVector.fromArray(S, q.split, qOff + p);
                FloatVector q2 = FloatVector.fromArray(S, q.split, qOff + pairs + p);
                FloatVector x = FloatVector.fromArray(S, rows, src + p);
                FloatVector y = FloatVector.fromArray(S, rows, src + pairs + p);
                q1.mul(x).add(q2.mul(y)).intoArray(table, dst + p);
                q2.mul(x).sub(q1.mul(y)).intoArray(table, dst + pairs + p);
            }
            for (; p < pairs; p++) {
                float q1 = q.split[qOff + p];
                float q2 = q.split[qOff + pairs + p];
                float x = rows[src + p];
                float y = rows[src + pairs + p];
                table[dst + p] = q1 * x + q2 * y;
                table[dst + pairs + p] = q2 * x - q1 * y;
            }
        }
    }

    private static void scoreRow(CommVqKeyCodebook codebook, CommVqLayerStore store, CommVqRopeTable rope, int g,
                                 float[] table, int tableOff, float scale, float[] logits, int logitOff) {
        int stages = codebook.stages();
        int pairs = codebook.pairs();
        int width = 2 * pairs;
        float[] base = rope.base();
        float[] offset = rope.offset();
        int[] aOff = new int[stages];
        int[] bOff = new int[stages];
        int codeBase = g * store.headCodeBytes();
        int vectorPairs = S.loopBound(pairs);
        for (int b = 0; b < store.blocks(); b++) {
            byte[] codes = store.keyCodes(b);
            short[] norms = store.keyNorms(b);
            int bb = b * width;
            for (int t = 0; t < CommVqLayerStore.BLOCK; t++) {
                for (int r = 0; r < stages; r++) {
                    int c = CommVqPacking.readCode12(codes, codeBase, t * stages + r);
                    aOff[r] = tableOff + (r * CommVqKeyCodebook.ENTRIES + (c >>> 6)) * width;
                    bOff[r] = tableOff + (r * CommVqKeyCodebook.ENTRIES + (c & 63)) * width;
                }
                int oo = t * width;
                FloatVector acc = FloatVector.zero(S);
                int p = 0;
                for (; p < vectorPairs; p += S.length()) {
                    FloatVector sa = FloatVector.zero(S);
                    FloatVector sb = FloatVector.zero(S);
                    FloatVector ta = FloatVector.zero(S);
                    FloatVector tb = FloatVector.zero(S);
                    for (int r = 0; r < stages; r++) {
                        sa = sa.add(FloatVector.fromArray(S, table, aOff[r] + p));
                        sb = sb.add(FloatVector.fromArray(S, table, aOff[r] + pairs + p));
                        ta = ta.add(FloatVector.fromArray(S, table, bOff[r] + p));
                        tb = tb.add(FloatVector.fromArray(S, table, bOff[r] + pairs + p));
                    }
                    FloatVector cbase = FloatVector.fromArray(S, base, bb + p);
                    FloatVector sbase = FloatVector.fromArray(S, base, bb + pairs + p);
                    FloatVector co = FloatVector.fromArray(S, offset, oo + p);
                    FloatVector so = FloatVector.fromArray(S, offset, oo + pairs + p);
                    FloatVector cos = cbase.mul(co).sub(sbase.mul(so));
                    FloatVector sin = sbase.mul(co).add(cbase.mul(so));
                    acc = cos.fma(sa.add(tb), acc);
                    acc = sin.fma(sb.sub(ta), acc);
                }
                float sum = acc.reduceLanes(VectorOperators.ADD);
                for (; p < pairs; p++) {
                    float sa = 0;
                    float sb = 0;
                    float ta = 0;
                    float tb = 0;
                    for (int r = 0; r < stages; r++) {
                        sa += table[aOff[r] + p];
                        sb += table[aOff[r] + pairs + p];
                        ta += table[bOff[r] + p];
                        tb += table[bOff[r] + pairs + p];
                    }
                    float cos = base[bb + p] * offset[oo + p] - base[bb + pairs + p] * offset[oo + pairs + p];
                    float sin = base[bb + pairs + p] * offset[oo + p] + base[bb + p] * offset[oo + pairs + p];
                    sum += cos * (sa + tb) + sin * (sb - ta);
                }
                int pos = b * CommVqLayerStore.BLOCK + t;
                logits[logitOff + pos] = Float.float16ToFloat(norms[t]) * scale * sum;
            }
        }
    }
}
