package org.commvq.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Encodes a full tail of 128 pre-RoPE keys into one compressed block of CommVQ key codes and norms (spec §1.2), the
 * device twin of {@code org.commvq.cache.commvq.CommVqKeyEncoder.encodeToken}. Runs only in the decode step whose
 * position p is a positive multiple of 128 ({@link CommVqDeviceLayout#blockToEncode}); at every other step every
 * thread returns at once, so the task can sit in every step's graph.
 *
 * <p>One work-group per tail slot t (ctx.groupIdx = t): the key's norm s over all kvDim = kvHeads·2P dims (double
 * partial sums, one tree), then for each head in turn the R stages of the fast exact search
 * <pre>
 *   e = k_head / s                                              threads p &lt; P keep e in local memory
 *   acc[4j+q] = Σ_p (x_{p,j}·e_x | y_{p,j}·e_y | x_{p,j}·e_y | −y_{p,j}·e_x)[q]   fma chains, p in order
 *   termA[j] = a_j − 2(acc[4j] + acc[4j+1]);  termB[j] = a_j − 2(acc[4j+2] + acc[4j+3])
 *   rowMin[A] = min_B (X_{A,B} + termB[B])  (first B);  A* = first argmin_A (rowMin[A] + termA[A])
 *   code = 64·A* + B*;   e −= w(code)
 * </pre>
 * the same float operations in the same order as the CPU encoder. The sums are written {@code a += w·x}, which
 * TornadoVM's OpenCL backend emits as fma (tornado.enable.fma, on by default) like the CPU's FloatVector.fma;
 * Math.fma itself does not compile (TornadoVM tries to inline its BigDecimal fallback). So the codes agree except
 * where the device rounds differently (OpenCL relaxed math, TornadoVM's default build flags; a backend that does not
 * fuse) and two candidates are within rounding of each other: on PoCL every code of the tests agrees. Codes go to
 * local memory until the token is done; then one thread per code pair writes it with
 * {@link CommVqDeviceLayout#writeCodePair}, and thread 0 the norm. A zero key gets norm 0 and all-zero codes, as on the
 * CPU; a non-finite key, which the CPU encoder rejects, gets undefined codes here.
 *
 * <p>Inputs: tailKeys [128][kvDim] fp32, interleaved layout; rows [kvHeads][R][64][2P], cross [kvHeads][R][64][64],
 * energy [kvHeads][R][64] (CommVqKeyCodebook.layerRows/layerCross/layerEnergy of the layer). Outputs: codes
 * [capacity][{@link CommVqDeviceLayout#tokenCodeBytes}] and norms [capacity]; only block p/128 − 1 is written, and
 * TornadoVM sees both as READ_WRITE, so their transferToDevice is honoured (the write loops are shaped for its dataflow
 * analysis, see the end of {@link #encode}; CommVqKeyEncodeTest's sentinels check it). Launch: global 128 × group size, local group size, a power of two from {@link #MIN_GROUP} to
 * {@link GroupReduce#MAX_GROUP}. Local memory: about 8.6 KB per work-group ({@link #LOCAL_BYTES}).
 */
public final class CommVqKeyEncode {
    /** Largest P (RoPE pairs per head): head_dim 128. */
    public static final int MAX_PAIRS = 64;
    /** Largest R (residual stages per head). */
    public static final int MAX_STAGES = 32;
    /** Largest number of KV heads. */
    public static final int MAX_KV_HEADS = 16;
    /** Smallest work-group: the argmin gives each of the 64 rows A at least one thread. */
    public static final int MIN_GROUP = 64;
    /** Entries per (stage, pair) table: codes are 64·A + B. */
    public static final int ENTRIES = 64;
    /** Projection accumulators per stage: 4 per entry j (U even/odd lanes, V even/odd lanes). */
    public static final int ACCUMULATORS = 4 * ENTRIES;
    /** Local memory one work-group uses, in bytes. */
    public static final int LOCAL_BYTES = 4 * (2 * MAX_PAIRS + ACCUMULATORS + 3 * ENTRIES + GroupReduce.MAX_GROUP)
            + 4 * (GroupReduce.MAX_GROUP + ENTRIES + MAX_KV_HEADS * MAX_STAGES + 1) + 8 * GroupReduce.MAX_GROUP;

    private CommVqKeyEncode() {
    }

    /** Throws IllegalArgumentException when a shape exceeds what the kernel's local arrays hold. */
    public static void check(int kvHeads, int stages, int pairs) {
        if (kvHeads < 1 || kvHeads > MAX_KV_HEADS) {
            throw new IllegalArgumentException("CommVQ key encoder: kvHeads " + kvHeads + " is outside 1.."
                    + MAX_KV_HEADS + " (MAX_KV_HEADS)");
        }
        if (stages < 1 || stages > MAX_STAGES) {
            throw new IllegalArgumentException("CommVQ key encoder: " + stages + " residual stages is outside 1.."
                    + MAX_STAGES + " (MAX_STAGES)");
        }
        if (pairs < 1 || pairs > MAX_PAIRS) {
            throw new IllegalArgumentException("CommVQ key encoder: " + pairs + " pairs per head is outside 1.."
                    + MAX_PAIRS + " (MAX_PAIRS)");
        }
    }

    /** Throws IllegalArgumentException unless groupSize is a power of two from {@link #MIN_GROUP} to 256. */
    public static void checkGroup(int groupSize) {
        if (groupSize < MIN_GROUP || groupSize > GroupReduce.MAX_GROUP || Integer.bitCount(groupSize) != 1) {
            throw new IllegalArgumentException("CommVQ key encoder: work-group size " + groupSize
                    + " is not a power of two from " + MIN_GROUP + " to " + GroupReduce.MAX_GROUP);
        }
    }

    public static void encode(KernelContext ctx, FloatArray tailKeys, FloatArray rows, FloatArray cross,
                              FloatArray energy, ByteArray codes, FloatArray norms, IntArray position, int kvHeads,
                              int stages, int pairs) {
        int block = CommVqDeviceLayout.blockToEncode(position);
        if (block < 0) {
            return;
        }
        int t = ctx.groupIdx;
        int tid = ctx.localIdx;
        int size = ctx.localGroupSizeX;
        int width = 2 * pairs;
        int kvDim = kvHeads * width;
        int keyBase = t * kvDim;

        float[] ex = ctx.allocateFloatLocalArray(MAX_PAIRS);
        float[] ey = ctx.allocateFloatLocalArray(MAX_PAIRS);
        float[] acc = ctx.allocateFloatLocalArray(ACCUMULATORS);
        float[] termA = ctx.allocateFloatLocalArray(ENTRIES);
        float[] termB = ctx.allocateFloatLocalArray(ENTRIES);
        float[] score = ctx.allocateFloatLocalArray(ENTRIES);
        float[] partMin = ctx.allocateFloatLocalArray(GroupReduce.MAX_GROUP);
        int[] partB = ctx.allocateIntLocalArray(GroupReduce.MAX_GROUP);
        int[] rowB = ctx.allocateIntLocalArray(ENTRIES);
        int[] tokenCodes = ctx.allocateIntLocalArray(MAX_KV_HEADS * MAX_STAGES + 1);
        double[] partial = ctx.allocateDoubleLocalArray(GroupReduce.MAX_GROUP);
        // Codes start at 0: what a zero key keeps, and the padding code of an odd count (tokenCodes[count]).
        int count = kvHeads * stages;
        for (int i = tid; i <= count; i += size) {
            tokenCodes[i] = 0;
        }

        // s = ‖k‖ over all heads; squares of floats are exact in double, so only the tree's order differs.
        double sq = 0.0;
        for (int i = tid; i < kvDim; i += size) {
            double k = tailKeys.get(keyBase + i);
            sq += k * k;
        }
        partial[tid] = sq;
        ctx.localBarrier();
        for (int stride = size / 2; stride > 0; stride /= 2) {
            if (tid < stride) {
                partial[tid] += partial[tid + stride];
            }
            ctx.localBarrier();
        }
        float norm = (float) TornadoMath.sqrt(partial[0]);
        // A zero key encodes no head: its codes stay 0 (the write below), its norm 0.
        int heads = norm == 0.0f ? 0 : kvHeads;
        int subs = size / ENTRIES;

        for (int h = 0; h < heads; h++) {
            int headBase = keyBase + h * width;
            for (int p = tid; p < pairs; p += size) {
                ex[p] = tailKeys.get(headBase + 2 * p) / norm;
                ey[p] = tailKeys.get(headBase + 2 * p + 1) / norm;
            }
            ctx.localBarrier();
            for (int r = 0; r < stages; r++) {
                int table = (h * stages + r) * ENTRIES;
                // Projections: accumulator 4j+q, the four neighbouring threads reading the same row j.
                for (int s = tid; s < ACCUMULATORS; s += size) {
                    int j = s >> 2;
                    int q = s & 3;
                    int row = (table + j) * width + ((q & 1) == 0 ? 0 : pairs);
                    // q: 0 x·e_x, 1 y·e_y (U_j's two lanes); 2 x·e_y, 3 −y·e_x (V_j's); −1 is exact.
                    boolean fromX = q == 0 || q == 3;
                    float sign = q == 3 ? -1.0f : 1.0f;
                    float a = 0.0f;
                    for (int p = 0; p < pairs; p++) {
                        float pattern = fromX ? ex[p] : ey[p];
                        a += rows.get(row + p) * (pattern * sign);
                    }
                    acc[s] = a;
                }
                ctx.localBarrier();
                for (int j = tid; j < 2 * ENTRIES; j += size) {
                    int jj = j & (ENTRIES - 1);
                    float e = energy.get(table + jj);
                    if (j < ENTRIES) {
                        termA[jj] = e - 2.0f * (acc[4 * jj] + acc[4 * jj + 1]);
                    } else {
                        termB[jj] = e - 2.0f * (acc[4 * jj + 2] + acc[4 * jj + 3]);
                    }
                }
                ctx.localBarrier();
                // Row minima: `subs` threads per row A, thread `sub` taking B ≡ sub (mod subs), so neighbouring
                // threads read neighbouring X entries; each keeps the first B of its minimum.
                int crossBase = (h * stages + r) * ENTRIES * ENTRIES;
                int rowA = tid / subs;
                int sub = tid - rowA * subs;
                int xRow = crossBase + rowA * ENTRIES;
                float best = cross.get(xRow + sub) + termB[sub];
                int bestB = sub;
                for (int b = sub + subs; b < ENTRIES; b += subs) {
                    float v = cross.get(xRow + b) + termB[b];
                    if (v < best) {
                        best = v;
                        bestB = b;
                    }
                }
                partMin[tid] = best;
                partB[tid] = bestB;
                ctx.localBarrier();
                if (tid < ENTRIES) {
                    int first = tid * subs;
                    float m = partMin[first];
                    int mb = partB[first];
                    for (int k = 1; k < subs; k++) {
                        float v = partMin[first + k];
                        int vb = partB[first + k];
                        if (v < m || (v == m && vb < mb)) {
                            m = v;
                            mb = vb;
                        }
                    }
                    score[tid] = m + termA[tid];
                    rowB[tid] = mb;
                }
                ctx.localBarrier();
                if (tid == 0) {
                    float bestScore = score[0];
                    int bestA = 0;
                    for (int a = 1; a < ENTRIES; a++) {
                        if (score[a] < bestScore) {
                            bestScore = score[a];
                            bestA = a;
                        }
                    }
                    tokenCodes[h * stages + r] = bestA * ENTRIES + rowB[bestA];
                }
                ctx.localBarrier();
                int code = tokenCodes[h * stages + r];
                int rowCa = (table + (code >> 6)) * width;
                int rowCb = (table + (code & (ENTRIES - 1))) * width;
                for (int p = tid; p < pairs; p += size) {
                    ex[p] -= rows.get(rowCa + p) - rows.get(rowCb + pairs + p);
                    ey[p] -= rows.get(rowCa + pairs + p) + rows.get(rowCb + p);
                }
                ctx.localBarrier();
            }
        }

        // The pair loop reads the zero padding tokenCodes[count] rather than testing 2i+1 < count: TornadoVM compiles
        // kvHeads and stages in as constants, Graal folds that test for an even count, and TornadoVM rejects the
        // folded node. Its body must also stay free of branches: TornadoVM's dataflow analysis calls an array
        // READ_WRITE (copied in, so the other blocks survive) only when the nearest branch above its writes is the
        // loop's; after a merge it calls it WRITE_ONLY and silently drops the array's transferToDevice.
        int token = block * CommVqDeviceLayout.BLOCK + t;
        int base = token * CommVqDeviceLayout.tokenCodeBytes(kvHeads, stages);
        for (int i = tid; 2 * i < count; i += size) {
            CommVqDeviceLayout.writeCodePair(codes, base, i, tokenCodes[2 * i], tokenCodes[2 * i + 1]);
        }
        if (tid == 0) {
            norms.set(token, norm);
        }
    }
}
