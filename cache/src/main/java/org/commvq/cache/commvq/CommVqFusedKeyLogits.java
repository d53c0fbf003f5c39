package org.commvq.cache.commvq;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.commvq.cache.Workers;

/**
 * Scores of compressed keys by fused decode-then-dot (spec §1.3): per KV head and token, the key's pairs
 * κ_p = Σ_r z_{r,p,A_r} + i·Σ_r z_{r,p,B_r} are summed from the split codebook rows, rotated to the token's position
 * and dotted with every query row of the head's group. The codebook of one head (R·64·128 floats) stays in the core's
 * cache while a task walks its blocks; the sums stay in registers.
 */
final class CommVqFusedKeyLogits {
    private static final VectorSpecies<Float> S = CommVqVectors.SPECIES;
    private static final int BLOCKS_PER_TASK = 8;

    private CommVqFusedKeyLogits() {
    }

    /** logits[row·stride + n] = q_row · RoPE_n(k̂_n) · scale for every compressed token n. */
    static void compute(CommVqKeyCodebook codebook, int layer, CommVqLayerStore store, CommVqRopeTable rope,
                        CommVqQueryRows q, float scale, float[] logits, int stride) {
        int blocks = store.blocks();
        int heads = codebook.kvHeads();
        int chunks = (blocks + BLOCKS_PER_TASK - 1) / BLOCKS_PER_TASK;
        Workers.parallelFor(heads * chunks, 1, task -> {
            int g = task / chunks;
            int first = (task % chunks) * BLOCKS_PER_TASK;
            int last = Math.min(blocks, first + BLOCKS_PER_TASK);
            if (q.rowsOfKvHead[g].length > 0) {
                scoreBlocks(codebook, layer, g, store, rope, q, scale, logits, stride, first, last);
            }
        });
    }

    private static void scoreBlocks(CommVqKeyCodebook codebook, int layer, int g, CommVqLayerStore store,
                                    CommVqRopeTable rope, CommVqQueryRows q, float scale, float[] logits,
                                    int stride, int first, int last) {
        int stages = codebook.stages();
        int pairs = codebook.pairs();
        int width = 2 * pairs;
        float[] rows = codebook.rows(layer, g);
        float[] base = rope.base();
        float[] offset = rope.offset();
        int[] groupRows = q.rowsOfKvHead[g];
        int blockCodes = CommVqLayerStore.BLOCK * stages;
        int[] codes = new int[blockCodes];
        int[] aOffs = new int[blockCodes];
        int[] bOffs = new int[blockCodes];
        float[] rho = new float[width];
        int vectorPairs = S.loopBound(pairs);
        int codeBase = g * store.headCodeBytes();
        for (int b = first; b < last; b++) {
            CommVqPacking.readCodes12(store.keyCodes(b), codeBase, blockCodes, codes);
            for (int i = 0; i < blockCodes; i++) {
                int r = i % stages;
                aOffs[i] = (r * CommVqKeyCodebook.ENTRIES + (codes[i] >>> 6)) * width;
                bOffs[i] = (r * CommVqKeyCodebook.ENTRIES + (codes[i] & 63)) * width;
            }
            short[] norms = store.keyNorms(b);
            int bb = b * width;
            for (int t = 0; t < CommVqLayerStore.BLOCK; t++) {
                int c0 = t * stages;
                int oo = t * width;
                int p = 0;
                for (; p < vectorPairs; p += S.length()) {
                    FloatVector ax = FloatVector.fromArray(S, rows, aOffs[c0] + p);
                    FloatVector ay = FloatVector.fromArray(S, rows, aOffs[c0] + pairs + p);
                    FloatVector bx = FloatVector.fromArray(S, rows, bOffs[c0] + p);
                    FloatVector by = FloatVector.fromArray(S, rows, bOffs[c0] + pairs + p);
                    for (int r = 1; r < stages; r++) {
                        int a = aOffs[c0 + r] + p;
                        int o = bOffs[c0 + r] + p;
                        ax = ax.add(FloatVector.fromArray(S, rows, a));
                        ay = ay.add(FloatVector.fromArray(S, rows, a + pairs));
                        bx = bx.add(FloatVector.fromArray(S, rows, o));
                        by = by.add(FloatVector.fromArray(S, rows, o + pairs));
                    }
                    FloatVector kx = ax.sub(by);
                    FloatVector ky = ay.add(bx);
                    FloatVector cb = FloatVector.fromArray(S, base, bb + p);
                    FloatVector sb = FloatVector.fromArray(S, base, bb + pairs + p);
                    FloatVector co = FloatVector.fromArray(S, offset, oo + p);
                    FloatVector so = FloatVector.fromArray(S, offset, oo + pairs + p);
                    FloatVector cos = cb.mul(co).sub(sb.mul(so));
                    FloatVector sin = sb.mul(co).add(cb.mul(so));
                    cos.mul(kx).sub(sin.mul(ky)).intoArray(rho, p);
                    sin.mul(kx).add(cos.mul(ky)).intoArray(rho, pairs + p);
                }
                for (; p < pairs; p++) {
                    float ax = 0;
                    float ay = 0;
                    float bx = 0;
                    float by = 0;
                    for (int r = 0; r < stages; r++) {
                        ax += rows[aOffs[c0 + r] + p];
                        ay += rows[aOffs[c0 + r] + pairs + p];
                        bx += rows[bOffs[c0 + r] + p];
                        by += rows[bOffs[c0 + r] + pairs + p];
                    }
                    float kx = ax - by;
                    float ky = ay + bx;
                    float cos = base[bb + p] * offset[oo + p] - base[bb + pairs + p] * offset[oo + pairs + p];
                    float sin = base[bb + pairs + p] * offset[oo + p] + base[bb + p] * offset[oo + pairs + p];
                    rho[p] = cos * kx - sin * ky;
                    rho[pairs + p] = sin * kx + cos * ky;
                }
                float norm = Float.float16ToFloat(norms[t]) * scale;
                int pos = b * CommVqLayerStore.BLOCK + t;
                for (int row : groupRows) {
                    logits[row * stride + pos] = norm * CommVqVectors.dot(q.split, row * width, rho, 0, width);
                }
            }
        }
    }
}
