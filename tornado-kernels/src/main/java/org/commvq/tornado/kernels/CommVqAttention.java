package org.commvq.tornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.DoubleArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Decode attention over one layer's CommVQ cache ({@link CommVqDeviceLayout}) straight from the codes (spec §1.3,
 * §1.5), split flash-decoding style so no kernel walks the whole context alone:
 * <pre>
 *  keyLogits    compressed token n and pairs p, p + P/2 (a thread), the KV head h of the work-group:
 *               κ_p = Σ_r z_{h,r,p,A_r} + i·z_{h,r,p,B_r}         the key rebuilt from θ, pair by pair
 *               score[q-head][n] = s_n/√d · Σ_p Re(ψ_p · conj(e^{inω_p} κ_p))    for the KV head's query heads
 *  valueChunks  chunk c of compressed tokens and 8 query heads (one work-group), each of those heads:
 *               m_c = max score, sum_c = Σ e^{score−m_c}, acc_c[j] = Σ e^{score−m_c}·σ_n·bit_j(n)
 *               (bit_j of 32 tokens per read; the weights summed 4 tokens at a time through 16-entry tables)
 *  softmaxSummary  per query head: tail logits q·RoPE_n(k_n)/√d, one max M over chunks and tail, the weights
 *               e^{m_c−M} and e^{s−M}, and their total Σ e^{·−M}
 *  mergeChunks  per query head and 32 bits j: acc[j] = Σ_c acc_c[j]·e^{m_c−M}
 *  combine      per query head and 8 of its dimensions: out = ((acc·E_g) ⊙ (λ+eps)_g + Σ_tail e^{s−M}·v) / total
 * </pre>
 * The CPU twin is {@code CommVqKvCache} with the fused-decode path: same formulas, the softmax assembled from
 * per-chunk maxima rather than one global one. RoPE angles n·ω_p are reduced modulo 2π in double before a float
 * cos/sin, so positions near 128K keep the accuracy of the CPU's double-precision angles.
 */
public final class CommVqAttention {
    /*
     * keyLogits' local arrays are sized for the preset shapes (the 8B and 3B shapes, the 1B shape's 16 tokens per
     * group and 21 stages) and no larger: what a group does not take stays L1 for θ. On the H100 at 128K the kernel
     * took 1.05 ms per layer with these 9.7 KB, 1.10 ms with 14.5 KB and 1.20 ms with 16.5 KB.
     */
    /** Local floats for keyLogits' partial products: tokens per group × query heads per KV head × (pairs/2 + 1). */
    public static final int LOGIT_PARTIALS = 1152;
    /** Local ints for each of keyLogits' two row offset arrays: tokens per group × stages. */
    public static final int LOGIT_OFFSETS = 384;
    /** Local floats for the query heads of one KV head: query heads per KV head × head_dim. */
    public static final int LOGIT_QUERY = 512;
    /** Most compressed tokens one valueChunks work-group takes. */
    public static final int MAX_CHUNK = 512;
    /**
     * Tokens whose subset-sum tables valueChunks builds at once: with their weights 40 KB of local memory, within
     * the 48 KB a work-group can have. A longer chunk goes in pieces.
     */
    static final int TABLE_TOKENS = 256;
    /** Floats of one head's subset-sum tables in valueChunks: 16 per 4 tokens of a piece. */
    private static final int TABLE_STRIDE = TABLE_TOKENS / 4 * 16;
    /**
     * Query heads valueChunks accumulates per read of a word of bits: the reads bound it on the H100, and 8 heads
     * took half the time of 4 when it read a token's bit at a time (3.3 ms per layer at 128K with 4).
     */
    static final int HEADS_AT_ONCE = 8;
    /** Most chunks and value bits per token the kernels take (chunkFor keeps a cache near 256 chunks). */
    public static final int MAX_CHUNKS = 1024;
    public static final int MAX_CODE_BITS = 4096;
    /** Value-code bits per mergeChunks work-group. */
    public static final int MERGE_BITS = 32;
    /**
     * Output dimensions per combine work-group; head_dim and the work-group size are multiples of it. Eight give the
     * 8B shape 512 groups, each lane summing 32 of 1024 bits: 42 µs per layer at 128K on the H100, against 83 µs with
     * 32 dimensions (128 groups, 128 bits per lane).
     */
    public static final int COMBINE_DIMS = 8;
    private static final double TWO_PI = 2.0 * Math.PI;
    /**
     * Angles are reduced with a multiply by 1/(2π), not a division by 2π: a double division is a long instruction
     * sequence on the GPU, and keyLogits does one per token and pair (3 % of its time at 128K on the H100). Where the
     * two differ, an angle near a multiple of 2π, the reduced angles differ by 2π. The reduction is written out
     * where it is used, not called: a static helper returning the float angle made softmaxSummary ten times slower
     * on PTX (38 to 388 µs per layer at 128K on the H100).
     */
    private static final double INV_TWO_PI = 1.0 / TWO_PI;

    private CommVqAttention() {
    }

    /**
     * Checks that a shape fits the kernels' local arrays for a work-group size; throws IllegalArgumentException
     * naming the limit.
     */
    public static void check(int heads, int kvHeads, int headDim, int stages, int codeBits, int chunk, int chunks,
                             int groupSize) {
        int pairs = headDim / 2;
        if (pairs > groupSize || groupSize % pairs != 0) {
            throw new IllegalArgumentException("CommVQ attention needs head_dim/2 (" + pairs
                    + ") to divide the work-group size " + groupSize);
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException(heads + " query heads do not split over " + kvHeads + " KV heads");
        }
        int qPerKv = heads / kvHeads;
        int tokensPerGroup = logitTokensPerGroup(groupSize, pairs);
        if (pairs % 2 != 0 || tokensPerGroup * stages > LOGIT_OFFSETS) {
            throw new IllegalArgumentException("CommVQ key logits: " + stages + " stages x head_dim " + headDim
                    + " need head_dim a multiple of 4 and fit the kernel's local offset arrays of " + LOGIT_OFFSETS
                    + " ints");
        }
        if (tokensPerGroup * qPerKv * (pairs / 2 + 1) > LOGIT_PARTIALS || qPerKv * headDim > LOGIT_QUERY) {
            throw new IllegalArgumentException("CommVQ key logits: " + qPerKv + " query heads per KV head x"
                    + " head_dim " + headDim + " exceed the kernel's local arrays of " + LOGIT_PARTIALS + " and "
                    + LOGIT_QUERY + " floats");
        }
        if (codeBits > MAX_CODE_BITS || codeBits % 8 != 0) {
            throw new IllegalArgumentException("CommVQ values: " + codeBits + " bits per token, the kernels take a"
                    + " multiple of 8 up to " + MAX_CODE_BITS);
        }
        if (groupSize % HEADS_AT_ONCE != 0) {
            throw new IllegalArgumentException("CommVQ values: the work-group size " + groupSize
                    + " must be a multiple of " + HEADS_AT_ONCE);
        }
        if (headDim % COMBINE_DIMS != 0 || groupSize % COMBINE_DIMS != 0) {
            throw new IllegalArgumentException("CommVQ attention: head_dim " + headDim + " and the work-group size "
                    + groupSize + " must be multiples of " + COMBINE_DIMS);
        }
        if (chunk > MAX_CHUNK || chunk % CommVqDeviceLayout.BLOCK != 0 || chunks > MAX_CHUNKS
                || headDim > GroupReduce.MAX_GROUP) {
            throw new IllegalArgumentException("CommVQ attention: chunks of " + chunk + " tokens x " + chunks
                    + " and head_dim " + headDim + " exceed the limits " + MAX_CHUNK + " (a multiple of "
                    + CommVqDeviceLayout.BLOCK + "), " + MAX_CHUNKS + ", " + GroupReduce.MAX_GROUP);
        }
    }

    /**
     * Tokens per valueChunks chunk for a cache capacity: about 256 chunks of 128 to MAX_CHUNK tokens, a power of
     * two, so a block of 128 tokens lies in one chunk. Fewer, longer chunks leave combine fewer summaries to merge
     * (0.19 ms per layer at 128K with 256 chunks, 0.31 ms with 512).
     */
    public static int chunkFor(int capacity) {
        return ChunkedAttention.chunkFor(capacity, 128, MAX_CHUNK);
    }

    /** Work-groups of a valueChunks launch: a chunk's query heads in groups of 8. */
    public static int valueChunkGroups(int chunks, int heads) {
        return chunks * ((heads + HEADS_AT_ONCE - 1) / HEADS_AT_ONCE);
    }

    /** Tokens one keyLogits work-group takes per pass: a thread per token and two pairs. */
    public static int logitTokensPerGroup(int groupSize, int pairs) {
        return groupSize / (pairs / 2);
    }

    /** Stores the new token's pre-RoPE key and value in tail slot position mod 128. Launch: a thread per element. */
    public static void tailAppend(KernelContext ctx, FloatArray tailKeys, FloatArray tailValues, FloatArray k,
                                  FloatArray v, IntArray position, int kvDim) {
        int i = ctx.globalIdx;
        if (i < kvDim) {
            int slot = position.get(0) % CommVqDeviceLayout.BLOCK;
            tailKeys.set(slot * kvDim + i, k.get(i));
            tailValues.set(slot * kvDim + i, v.get(i));
        }
    }

    /**
     * scores[head·capacity + n] for every compressed token n. Launch: kvHeads·G work-groups of size S (a multiple of
     * pairs/2); group h·G + g takes KV head h and every G-th slice of S/(pairs/2) tokens, a thread per token and two
     * pairs, p and p + pairs/2. One KV head per group keeps a group's θ reads within that head's table (stages × 64
     * rows), which L1 can hold much of; with every head in every group the reads of all heads went to L2 (1.9 ms per
     * layer at 128K on the H100).
     * <p>θ is read in the encoder's split layout, so each load of a warp takes 128 contiguous bytes. TornadoVM's PTX
     * has no vector loads: with (x, y) pairs side by side each scalar load used half of every sector it fetched, and
     * L1 was 97 % busy (1.25 ms at 128K). Two pairs per thread let one row offset, worked out once per token and stage
     * into local memory, serve four loads, and halve the partial sums: 22 % fewer instructions and 1.10 ms, then
     * 1.05 ms with the smaller local arrays above.
     */
    public static void keyLogits(KernelContext ctx, FloatArray q, FloatArray rows, ByteArray codes, FloatArray norms,
                                 DoubleArray omega, FloatArray scores, IntArray position, int heads, int kvHeads,
                                 int stages, int pairs, int capacity, float scale) {
        int tid = ctx.localIdx;
        int size = ctx.localGroupSizeX;
        int half = pairs / 2;
        int perGroup = size / half;
        int slot = tid / half;
        int p = tid - slot * half;
        int groupsPerHead = ctx.globalGroupSizeX / size / kvHeads;
        int h = ctx.groupIdx / groupsPerHead;
        int headGroup = ctx.groupIdx - h * groupsPerHead;
        int compressed = CommVqDeviceLayout.compressed(position.get(0));
        int qPerKv = heads / kvHeads;
        int codeBytes = CommVqDeviceLayout.tokenCodeBytes(kvHeads, stages);
        int width = 2 * pairs;
        int table = h * stages * 64 * width;
        int stride = half + 1;
        double omega0 = omega.get(p);
        double omega1 = omega.get(p + half);
        float[] partial = ctx.allocateFloatLocalArray(LOGIT_PARTIALS);
        int[] offsetA = ctx.allocateIntLocalArray(LOGIT_OFFSETS);
        int[] offsetB = ctx.allocateIntLocalArray(LOGIT_OFFSETS);
        float[] query = ctx.allocateFloatLocalArray(LOGIT_QUERY);
        for (int i = tid; i < qPerKv * width; i += size) {
            query[i] = q.get(h * qPerKv * width + i);
        }
        for (int first = headGroup * perGroup; first < compressed; first += groupsPerHead * perGroup) {
            for (int i = tid; i < perGroup * stages; i += size) {
                int tokenSlot = i / stages;
                int token = first + tokenSlot;
                int r = i - tokenSlot * stages;
                int code = 0;
                if (token < compressed) {
                    code = CommVqDeviceLayout.readCode(codes, token * codeBytes, h * stages + r);
                }
                offsetA[i] = table + (r * 64 + (code >> 6)) * width;
                offsetB[i] = table + (r * 64 + (code & 63)) * width;
            }
            ctx.localBarrier();
            int n = first + slot;
            if (n < compressed) {
                float kx0 = 0.0f;
                float ky0 = 0.0f;
                float kx1 = 0.0f;
                float ky1 = 0.0f;
                int codeAt = slot * stages;
                for (int r = 0; r < stages; r++) {
                    int a = offsetA[codeAt + r] + p;
                    int b = offsetB[codeAt + r] + p;
                    kx0 += rows.get(a) - rows.get(b + pairs);
                    ky0 += rows.get(a + pairs) + rows.get(b);
                    kx1 += rows.get(a + half) - rows.get(b + pairs + half);
                    ky1 += rows.get(a + pairs + half) + rows.get(b + half);
                }
                double angle0 = n * omega0;
                angle0 = angle0 - TWO_PI * TornadoMath.floor(angle0 * INV_TWO_PI);
                double angle1 = n * omega1;
                angle1 = angle1 - TWO_PI * TornadoMath.floor(angle1 * INV_TWO_PI);
                float c0 = TornadoMath.cos((float) angle0);
                float s0 = TornadoMath.sin((float) angle0);
                float c1 = TornadoMath.cos((float) angle1);
                float s1 = TornadoMath.sin((float) angle1);
                float rx0 = kx0 * c0 - ky0 * s0;
                float ry0 = kx0 * s0 + ky0 * c0;
                float rx1 = kx1 * c1 - ky1 * s1;
                float ry1 = kx1 * s1 + ky1 * c1;
                for (int g = 0; g < qPerKv; g++) {
                    int qi = g * width + 2 * p;
                    partial[(slot * qPerKv + g) * stride + p] = query[qi] * rx0 + query[qi + 1] * ry0
                            + query[qi + pairs] * rx1 + query[qi + pairs + 1] * ry1;
                }
            }
            ctx.localBarrier();
            for (int i = tid; i < perGroup * qPerKv; i += size) {
                int tokenSlot = i / qPerKv;
                int token = first + tokenSlot;
                if (token < compressed) {
                    float sum = 0.0f;
                    int base = i * stride;
                    for (int j = 0; j < half; j++) {
                        sum += partial[base + j];
                    }
                    int head = h * qPerKv + i - tokenSlot * qPerKv;
                    scores.set(head * capacity + token, sum * norms.get(token) * scale);
                }
            }
            ctx.localBarrier();
        }
    }

    /**
     * Per chunk c of compressed tokens and query head: chunkMax[c·heads + head], chunkSum (same index) and
     * chunkAcc[(c·heads + head)·codeBits + j]. Launch: ⌈capacity/chunk⌉ · ⌈heads/8⌉ work-groups, chunk 128 to 512
     * ({@link #chunkFor}); group c·⌈heads/8⌉ + i takes chunk c and query heads 8i..8i+7, so a short context still
     * fills the GPU; groups past the compressed region return at once.
     * <p>The bit sums go through subset-sum tables: for every 4 consecutive tokens and query head, the 16 sums of
     * their weights e^{score−m}·σ that a nibble of bits can select. A thread takes a bit j and reads it for 32 tokens
     * in one word of the cache's layout ({@link CommVqDeviceLayout}), then adds 8 table entries per head instead of
     * 32 weights: on the H100 0.27 ms per layer at 128K against 0.85 ms when each token's bit was read and weighed.
     * In the step that encoded a block, the groups whose chunk holds it first move the encoder's bits (a token per
     * row of blockBits) into the cache's words: each writes the same values, so any of them may be the one read.
     */
    public static void valueChunks(KernelContext ctx, FloatArray scores, IntArray bits, ByteArray blockBits,
                                   FloatArray sigmas, FloatArray chunkMax, FloatArray chunkSum, FloatArray chunkAcc,
                                   IntArray position, int heads, int codeBits, int chunk, int capacity) {
        int headGroups = (heads + HEADS_AT_ONCE - 1) / HEADS_AT_ONCE;
        int c = ctx.groupIdx / headGroups;
        int h0 = (ctx.groupIdx - c * headGroups) * HEADS_AT_ONCE;
        int tid = ctx.localIdx;
        int size = ctx.localGroupSizeX;
        int compressed = CommVqDeviceLayout.compressed(position.get(0));
        int start = c * chunk;
        int end = TornadoMath.min(start + chunk, compressed);
        if (start >= end) {
            return;
        }
        int encoded = CommVqDeviceLayout.blockToEncode(position) * CommVqDeviceLayout.BLOCK;
        storeBlockBits(ctx, bits, blockBits, encoded >= start && encoded < end ? encoded : -1, codeBits);
        float[] maxes = ctx.allocateFloatLocalArray(HEADS_AT_ONCE);
        float[] w = ctx.allocateFloatLocalArray(HEADS_AT_ONCE * TABLE_TOKENS);
        float[] table = ctx.allocateFloatLocalArray(HEADS_AT_ONCE * TABLE_STRIDE);
        // Each of the 8 heads has its own segment of the group (a warp of a 256-thread group) for its maximum and
        // sum, so two reductions serve all heads where one per head and quantity made 16 in turn (H100, one layer:
        // 56 to 42 µs at 8K, 289 to 274 µs at 128K).
        int segment = size / HEADS_AT_ONCE;
        int own = tid / segment;
        int lane = tid - own * segment;
        int ownHead = h0 + own;
        float localMax = Float.NEGATIVE_INFINITY;
        if (ownHead < heads) {
            for (int n = start + lane; n < end; n += segment) {
                localMax = TornadoMath.max(localMax, scores.get(ownHead * capacity + n));
            }
        }
        float m = GroupReduce.segmentMax(ctx, localMax, segment);
        float partialSum = 0.0f;
        if (ownHead < heads) {
            for (int n = start + lane; n < end; n += segment) {
                partialSum += TornadoMath.exp(scores.get(ownHead * capacity + n) - m);
            }
        }
        float sum = GroupReduce.segmentSum(ctx, partialSum, segment);
        if (lane == 0) {
            maxes[own] = m;
            if (ownHead < heads) {
                chunkMax.set(c * heads + ownHead, m);
                chunkSum.set(c * heads + ownHead, sum);
            }
        }
        // The chunk's bit sums in pieces of TABLE_TOKENS tokens, whose tables fit in local memory; all pieces weigh
        // their tokens against the chunk's maxima, so their sums simply add up.
        for (int piece = start; piece < end; piece += TABLE_TOKENS) {
            int pieceEnd = TornadoMath.min(piece + TABLE_TOKENS, end);
            ctx.localBarrier();
            for (int i = tid; i < HEADS_AT_ONCE * TABLE_TOKENS; i += size) {
                int k = i / TABLE_TOKENS;
                int n = piece + i - k * TABLE_TOKENS;
                float weight = 0.0f;
                if (h0 + k < heads && n < pieceEnd) {
                    weight = TornadoMath.exp(scores.get((h0 + k) * capacity + n) - maxes[k]) * sigmas.get(n);
                }
                w[i] = weight;
            }
            ctx.localBarrier();
            int perHead = (pieceEnd - piece) / 4 * 16;
            // Entry (k, g, v), at k·TABLE_STRIDE + 16g + v: the weights of head h0+k's tokens 4g..4g+3 of the piece
            // that v's bits select. A constant stride between heads, not perHead, makes the eight table reads per
            // nibble below constant offsets from one address (H100, one layer at 128K: 260 to 218 µs).
            for (int e = tid; e < HEADS_AT_ONCE * perHead; e += size) {
                int k = e / perHead;
                int rest = e - k * perHead;
                int v = rest & 15;
                int at = k * TABLE_TOKENS + 4 * (rest >> 4);
                float t = 0.0f;
                if ((v & 1) != 0) {
                    t += w[at];
                }
                if ((v & 2) != 0) {
                    t += w[at + 1];
                }
                if ((v & 4) != 0) {
                    t += w[at + 2];
                }
                if ((v & 8) != 0) {
                    t += w[at + 3];
                }
                table[k * TABLE_STRIDE + rest] = t;
            }
            ctx.localBarrier();
            int firstWord = piece / CommVqDeviceLayout.WORD_TOKENS;
            int words = (pieceEnd - piece) / CommVqDeviceLayout.WORD_TOKENS;
            int count = heads - h0;
            for (int j = tid; j < codeBits; j += size) {
                int base = (c * heads + h0) * codeBits + j;
                float a0 = 0.0f;
                float a1 = 0.0f;
                float a2 = 0.0f;
                float a3 = 0.0f;
                float a4 = 0.0f;
                float a5 = 0.0f;
                float a6 = 0.0f;
                float a7 = 0.0f;
                if (piece > start) {
                    a0 = chunkAcc.get(base);
                    a1 = count > 1 ? chunkAcc.get(base + codeBits) : 0.0f;
                    a2 = count > 2 ? chunkAcc.get(base + 2 * codeBits) : 0.0f;
                    a3 = count > 3 ? chunkAcc.get(base + 3 * codeBits) : 0.0f;
                    a4 = count > 4 ? chunkAcc.get(base + 4 * codeBits) : 0.0f;
                    a5 = count > 5 ? chunkAcc.get(base + 5 * codeBits) : 0.0f;
                    a6 = count > 6 ? chunkAcc.get(base + 6 * codeBits) : 0.0f;
                    a7 = count > 7 ? chunkAcc.get(base + 7 * codeBits) : 0.0f;
                }
                for (int b = 0; b < words; b++) {
                    int word = bits.get((firstWord + b) * codeBits + j);
                    for (int g = 0; g < 8; g++) {
                        // >> rather than >>>: TornadoVM emits >>> on an int as OpenCL's signed >>, after Graal has
                        // dropped the mask that made them equal, so the top nibble of a negative word went negative.
                        int at = (b * 8 + g) * 16 + ((word >> (4 * g)) & 15);
                        a0 += table[at];
                        a1 += table[TABLE_STRIDE + at];
                        a2 += table[2 * TABLE_STRIDE + at];
                        a3 += table[3 * TABLE_STRIDE + at];
                        a4 += table[4 * TABLE_STRIDE + at];
                        a5 += table[5 * TABLE_STRIDE + at];
                        a6 += table[6 * TABLE_STRIDE + at];
                        a7 += table[7 * TABLE_STRIDE + at];
                    }
                }
                ChunkedAttention.storeEight(chunkAcc, base, codeBits, count, a0, a1, a2, a3, a4, a5, a6, a7);
            }
        }
    }

    /**
     * Moves the 128 tokens of blockBits (bit j of slot t at byte t·codeBits/8 + j/8, bit j mod 8) into the cache's
     * words from token {@code first} on (none when first is −1), a word per thread, then fences them for the rest of
     * the group. Every group passes the barrier, so it never sits in a branch that only some groups take.
     */
    private static void storeBlockBits(KernelContext ctx, IntArray bits, ByteArray blockBits, int first,
                                       int codeBits) {
        int bytes = codeBits / 8;
        int perBlock = CommVqDeviceLayout.BLOCK / CommVqDeviceLayout.WORD_TOKENS;
        int firstWord = first / CommVqDeviceLayout.WORD_TOKENS;
        int words = first < 0 ? 0 : perBlock * codeBits;
        for (int e = ctx.localIdx; e < words; e += ctx.localGroupSizeX) {
            int w = e / codeBits;
            int j = e - w * codeBits;
            int word = 0;
            for (int t = 0; t < CommVqDeviceLayout.WORD_TOKENS; t++) {
                int b = blockBits.get((w * CommVqDeviceLayout.WORD_TOKENS + t) * bytes + (j >> 3));
                word |= ((b >> (j & 7)) & 1) << t;
            }
            bits.set((firstWord + w) * codeBits + j, word);
        }
        ctx.globalBarrier();
    }

    /**
     * Per query head (a work-group each): the tail's exact logits q·RoPE_n(k_n)/√d and one softmax over them and the
     * chunks' summaries, written as chunkWeights[head·chunkSlots + c] = e^{m_c−M}, tailWeights[head·128 + t] =
     * e^{logit_t−M} and totals[head] = Σ_c sum_c·e^{m_c−M} + Σ_t e^{logit_t−M}, for {@link #mergeChunks} and
     * {@link #combine}. Launch: heads work-groups.
     */
    public static void softmaxSummary(KernelContext ctx, FloatArray q, FloatArray tailKeys, FloatArray chunkMax,
                                      FloatArray chunkSum, DoubleArray omega, FloatArray chunkWeights,
                                      FloatArray tailWeights, FloatArray totals, IntArray position, int heads,
                                      int kvHeads, int headDim, int chunk, int chunkSlots, float scale) {
        int head = ctx.groupIdx;
        int tid = ctx.localIdx;
        int size = ctx.localGroupSizeX;
        int pos = position.get(0);
        int compressed = CommVqDeviceLayout.compressed(pos);
        int tail = pos - compressed + 1;
        int chunks = (compressed + chunk - 1) / chunk;
        int kvDim = kvHeads * headDim;
        int col = head / (heads / kvHeads) * headDim;
        int pairs = headDim / 2;
        float[] query = ctx.allocateFloatLocalArray(GroupReduce.MAX_GROUP);
        for (int d = tid; d < headDim; d += size) {
            query[d] = q.get(head * headDim + d);
        }
        ctx.localBarrier();
        float[] logits = ctx.allocateFloatLocalArray(CommVqDeviceLayout.BLOCK);
        float localMax = Float.NEGATIVE_INFINITY;
        for (int t = tid; t < tail; t += size) {
            int n = compressed + t;
            int key = t * kvDim + col;
            float dot = 0.0f;
            for (int p = 0; p < pairs; p++) {
                double angle = n * omega.get(p);
                angle = angle - TWO_PI * TornadoMath.floor(angle * INV_TWO_PI);
                float c = TornadoMath.cos((float) angle);
                float s = TornadoMath.sin((float) angle);
                float kx = tailKeys.get(key + 2 * p);
                float ky = tailKeys.get(key + 2 * p + 1);
                dot += query[2 * p] * (kx * c - ky * s) + query[2 * p + 1] * (kx * s + ky * c);
            }
            float logit = dot * scale;
            logits[t] = logit;
            localMax = TornadoMath.max(localMax, logit);
        }
        for (int c = tid; c < chunks; c += size) {
            localMax = TornadoMath.max(localMax, chunkMax.get(c * heads + head));
        }
        float max = GroupReduce.max(ctx, localMax);
        float partial = 0.0f;
        for (int t = tid; t < tail; t += size) {
            float e = TornadoMath.exp(logits[t] - max);
            tailWeights.set(head * CommVqDeviceLayout.BLOCK + t, e);
            partial += e;
        }
        for (int c = tid; c < chunks; c += size) {
            float f = TornadoMath.exp(chunkMax.get(c * heads + head) - max);
            chunkWeights.set(head * chunkSlots + c, f);
            partial += chunkSum.get(c * heads + head) * f;
        }
        float total = GroupReduce.sum(ctx, partial);
        if (tid == 0) {
            totals.set(head, total);
        }
    }

    /**
     * merged[head·codeBits + j] = Σ_c chunkAcc[(c·heads + head)·codeBits + j]·chunkWeights[head·chunkSlots + c]: the
     * chunks' bit sums on one scale. A work-group takes 32 bits j of one head and splits the chunks over its warps,
     * so that many loads are in flight: in one kernel with the E multiply, each head's sums were read by every group
     * of that head, one chunk after another (0.19 ms per layer at 128K on the H100).
     * Launch: heads · ⌈codeBits/32⌉ work-groups.
     */
    public static void mergeChunks(KernelContext ctx, FloatArray chunkAcc, FloatArray chunkWeights,
                                   FloatArray merged, IntArray position, int heads, int codeBits, int chunk,
                                   int chunkSlots) {
        int blocks = (codeBits + MERGE_BITS - 1) / MERGE_BITS;
        int head = ctx.groupIdx / blocks;
        int tid = ctx.localIdx;
        int slices = ctx.localGroupSizeX / MERGE_BITS;
        int slice = tid / MERGE_BITS;
        int j = (ctx.groupIdx - head * blocks) * MERGE_BITS + tid - slice * MERGE_BITS;
        int chunks = (CommVqDeviceLayout.compressed(position.get(0)) + chunk - 1) / chunk;
        float acc = 0.0f;
        if (j < codeBits) {
            for (int c = slice; c < chunks; c += slices) {
                acc += chunkAcc.get((c * heads + head) * codeBits + j) * chunkWeights.get(head * chunkSlots + c);
            }
        }
        float[] partial = ctx.allocateFloatLocalArray(GroupReduce.MAX_GROUP);
        partial[tid] = acc;
        ctx.localBarrier();
        if (slice == 0 && j < codeBits) {
            float sum = 0.0f;
            for (int k = 0; k < slices; k++) {
                sum += partial[k * MERGE_BITS + tid];
            }
            merged.set(head * codeBits + j, sum);
        }
    }

    /**
     * out[head·headDim + d] for the {@link #COMBINE_DIMS} dimensions d of one work-group (work-group = head ·
     * headDim/COMBINE_DIMS + block): ((merged·E) ⊙ (λ+eps) + Σ_tail e^{logit−M}·v) / total, from
     * {@link #mergeChunks} and {@link #softmaxSummary}. The E multiply, a codeBits-long sum per dimension, is split
     * over the group's lanes, and a head's dimensions over several groups: with a group per head, its serial loop
     * left most of the GPU idle (455 µs per layer at 8K on the H100). Launch: heads · headDim/COMBINE_DIMS
     * work-groups.
     */
    public static void combine(KernelContext ctx, FloatArray merged, FloatArray tailWeights, FloatArray totals,
                               FloatArray tailValues, FloatArray embedding, FloatArray scalePlusEps, FloatArray out,
                               IntArray position, int heads, int kvHeads, int headDim, int codeBits) {
        int blocks = headDim / COMBINE_DIMS;
        int head = ctx.groupIdx / blocks;
        int firstDim = (ctx.groupIdx - head * blocks) * COMBINE_DIMS;
        int tid = ctx.localIdx;
        int size = ctx.localGroupSizeX;
        int pos = position.get(0);
        int tail = pos - CommVqDeviceLayout.compressed(pos) + 1;
        int kvDim = kvHeads * headDim;
        int col = head / (heads / kvHeads) * headDim;
        float[] lanePartial = ctx.allocateFloatLocalArray(GroupReduce.MAX_GROUP);
        int lanes = size / COMBINE_DIMS;
        int lane = tid / COMBINE_DIMS;
        int dim = tid - lane * COMBINE_DIMS;
        int feature = col + firstDim + dim;
        float v = 0.0f;
        for (int j = lane; j < codeBits; j += lanes) {
            v += merged.get(head * codeBits + j) * embedding.get(j * kvDim + feature);
        }
        v *= scalePlusEps.get(feature);
        for (int t = lane; t < tail; t += lanes) {
            v += tailWeights.get(head * CommVqDeviceLayout.BLOCK + t) * tailValues.get(t * kvDim + feature);
        }
        lanePartial[tid] = v;
        ctx.localBarrier();
        if (lane == 0) {
            float sum = 0.0f;
            for (int l = 0; l < lanes; l++) {
                sum += lanePartial[l * COMBINE_DIMS + dim];
            }
            out.set(head * headDim + firstDim + dim, sum / totals.get(head));
        }
    }
}
