package org.commvq.tornado.plan;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.commvq.cache.ModelShape;
import org.commvq.cache.commvq.CommVqCodebooks;
import org.commvq.cache.commvq.CommVqKeyCodebook;
import org.commvq.cache.commvq.CommVqValueCodec;
import org.commvq.cache.commvq.CommVqValueParameters;
import org.commvq.tornado.kernels.CommVqAttention;
import org.commvq.tornado.kernels.CommVqDeviceLayout;
import org.commvq.tornado.kernels.CommVqKeyEncode;
import org.commvq.tornado.kernels.CommVqValueEncode;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * One layer's CommVQ cache on the device ({@link CommVqDeviceLayout}) with its codebooks, and the tasks of a decode
 * step:
 * <pre>
 *  k, v (pre-RoPE) ─► encodeKeys, encodeValues   only at a positive multiple of 128: the full tail ─► one block
 *                 └─► tailAppend                 k, v into tail slot pos mod 128
 *  q (post-RoPE) ──► keyLogits ─► scores ─► valueChunks ─► chunk summaries ─┬► softmaxSummary ◄─ tail keys
 *                                                                          └─► mergeChunks ◄─ chunk weights
 *                                               merged bit sums, tail weights ─► combine ◄─ tail values ─► att
 * </pre>
 * The encoders run every step and return at once except when a block is due, because a task that is not in the graph
 * cannot run, and a second graph could not share this one's device buffers. Codebooks: θ as split rows (for the
 * encoder and keyLogits), the cross and energy tables of the fast search, the value encoder (weights transposed), E
 * and λ+eps, all fp32.
 */
public record DeviceCommVqLayer(FloatArray rows, FloatArray cross, FloatArray energy, FloatArray normWeight,
                                FloatArray normBias, FloatArray enc1T, FloatArray enc1Bias, FloatArray outT,
                                FloatArray outBias, FloatArray embedding, FloatArray scalePlusEps,
                                FloatArray tailKeys, FloatArray tailValues, ByteArray codes, FloatArray norms,
                                IntArray bits, ByteArray blockBits, FloatArray sigmas, int capacity, int kvDim,
                                int stages, int hiddenDim, int codeBits) implements DeviceKvLayer {
    /**
     * More groups gained nothing at 128K on the H100: with the kernel's first two-pair form, 4096 per head took
     * 1.11 ms per layer, 2048 1.10 ms and 1024 1.11 ms.
     */
    static final int MAX_LOGIT_GROUPS_PER_HEAD = 2048;

    public static DeviceCommVqLayer allocate(CommVqCodebooks books, int layer, String name, int capacity,
                                             ModelShape shape, DeviceMemoryBudget budget) {
        CommVqKeyCodebook keys = books.keys();
        CommVqValueCodec values = books.values().get(layer);
        CommVqValueParameters p = values.parameters();
        int kvDim = shape.kvDim();
        int stages = keys.stages();
        CommVqKeyEncode.check(shape.kvHeads(), stages, keys.pairs());
        CommVqValueEncode.check(values.featureDim(), values.hiddenDim(), values.codeBits());
        long tokenCodes = CommVqDeviceLayout.tokenCodeBytes(shape.kvHeads(), stages);
        return new DeviceCommVqLayer(
                copy(budget, name + ".keyRows", keys.layerRows(layer)),
                copy(budget, name + ".keyCross", keys.layerCross(layer)),
                copy(budget, name + ".keyEnergy", keys.layerEnergy(layer)),
                copy(budget, name + ".valueNormWeight", p.normWeight()),
                copy(budget, name + ".valueNormBias", p.normBias()),
                copy(budget, name + ".valueEnc1", values.enc1TransposedCopy()),
                copy(budget, name + ".valueEnc1Bias", p.enc1Bias()),
                copy(budget, name + ".valueOut", values.outTransposedCopy()),
                copy(budget, name + ".valueOutBias", p.outBias()),
                copy(budget, name + ".valueEmbedding", values.embeddingCopy()),
                copy(budget, name + ".valueScale", values.scalePlusEpsCopy()),
                budget.floats(name + ".tailKeys", (long) CommVqDeviceLayout.BLOCK * kvDim),
                budget.floats(name + ".tailValues", (long) CommVqDeviceLayout.BLOCK * kvDim),
                budget.bytes(name + ".keyCodes", capacity * tokenCodes),
                budget.floats(name + ".keyNorms", capacity),
                budget.ints(name + ".valueBits", CommVqDeviceLayout.valueWords(capacity, values.codeBits())),
                budget.bytes(name + ".valueBlockBits", (long) CommVqDeviceLayout.BLOCK * values.codeBits() / 8),
                budget.floats(name + ".valueScales", capacity),
                capacity, kvDim, stages, values.hiddenDim(), values.codeBits());
    }

    private static FloatArray copy(DeviceMemoryBudget budget, String name, float[] values) {
        FloatArray a = budget.floats(name, values.length);
        MemorySegment.copy(values, 0, a.getSegment(), ValueLayout.JAVA_FLOAT, 0, values.length);
        return a;
    }

    /** Bytes one token takes in every layer's codes, norms, bits and scales on the device. */
    public static long bytesPerToken(CommVqCodebooks books, ModelShape shape) {
        long perLayer = CommVqDeviceLayout.tokenCodeBytes(shape.kvHeads(), books.stages()) + Float.BYTES
                + books.values().getFirst().codeBits() / 8 + Float.BYTES;
        return perLayer * shape.layers();
    }

    @Override
    public Object[] arrays() {
        return new Object[] {rows, cross, energy, normWeight, normBias, enc1T, enc1Bias, outT, outBias, embedding,
            scalePlusEps, tailKeys, tailValues, codes, norms, bits, blockBits, sigmas};
    }

    /**
     * Random codes, value bits and a full random tail; key norms 5 to 25 and value scales 0.5 to 1.5, the range of
     * the tiny model's trained codebooks.
     */
    @Override
    public void fillSynthetic(int tokens, long seed) {
        int codeBytes = (int) (codes.getSize() / capacity);
        SyntheticFill.bytes(codes, 0, (long) tokens * codeBytes, seed);
        SyntheticFill.floats(norms, 0, tokens, 5f, 25f, seed + 1);
        SyntheticFill.ints(bits, 0, CommVqDeviceLayout.valueWords(tokens, codeBits), seed + 2);
        SyntheticFill.floats(sigmas, 0, tokens, 0.5f, 1.5f, seed + 3);
        SyntheticFill.floats(tailKeys, 0, tailKeys.getSize(), -1f, 1f, seed + 4);
        SyntheticFill.floats(tailValues, 0, tailValues.getSize(), -1f, 1f, seed + 5);
    }

    @Override
    public void addAttention(LayerTasks t, KernelContext ctx, LayerScratch s, DecodeStep step) {
        ModelShape shape = t.shape();
        CommVqScratch c = s.commVq();
        TaskGraph g = t.graph();
        int group = t.groupSize();
        int pairs = shape.headDim() / 2;
        float scale = (float) (1.0 / Math.sqrt(shape.headDim()));
        CommVqAttention.check(shape.heads(), shape.kvHeads(), shape.headDim(), stages, codeBits, c.chunk(),
                c.chunks(), group);

        g.task(t.name("encodeKeys"), CommVqKeyEncode::encode, ctx, tailKeys, rows, cross, energy, codes, norms,
                step.position(), shape.kvHeads(), stages, pairs);
        t.grid("encodeKeys", Grids.perGroup(CommVqDeviceLayout.BLOCK, group));
        g.task(t.name("encodeValues"), CommVqValueEncode::encode, ctx, tailValues, normWeight, normBias, enc1T,
                enc1Bias, outT, outBias, embedding, scalePlusEps, blockBits, sigmas, step.position(), kvDim, hiddenDim,
                codeBits);
        t.grid("encodeValues", Grids.perGroup(CommVqDeviceLayout.BLOCK, group));
        g.task(t.name("tailAppend"), CommVqAttention::tailAppend, ctx, tailKeys, tailValues, s.k(), s.v(),
                step.position(), kvDim);
        t.grid("tailAppend", Grids.perElement(kvDim, group));
        g.task(t.name("keyLogits"), CommVqAttention::keyLogits, ctx, s.q(), rows, codes, norms, c.omega(),
                s.scores(), step.position(), shape.heads(), shape.kvHeads(), stages, pairs, capacity, scale);
        t.grid("keyLogits", Grids.perGroup(logitGroups(group, pairs, shape.kvHeads()), group));
        g.task(t.name("valueChunks"), CommVqAttention::valueChunks, ctx, s.scores(), bits, blockBits, sigmas,
                c.chunkMax(), c.chunkSum(), c.chunkAcc(), step.position(), shape.heads(), codeBits, c.chunk(),
                capacity);
        t.grid("valueChunks", Grids.perGroup(CommVqAttention.valueChunkGroups(c.chunks(), shape.heads()), group));
        g.task(t.name("softmaxSummary"), CommVqAttention::softmaxSummary, ctx, s.q(), tailKeys, c.chunkMax(),
                c.chunkSum(), c.omega(), c.chunkWeights(), c.tailWeights(), c.totals(), step.position(),
                shape.heads(), shape.kvHeads(), shape.headDim(), c.chunk(), c.chunks(), scale);
        t.grid("softmaxSummary", Grids.perGroup(shape.heads(), group));
        g.task(t.name("mergeChunks"), CommVqAttention::mergeChunks, ctx, c.chunkAcc(), c.chunkWeights(), c.merged(),
                step.position(), shape.heads(), codeBits, c.chunk(), c.chunks());
        t.grid("mergeChunks", Grids.perGroup(shape.heads()
                * ((codeBits + CommVqAttention.MERGE_BITS - 1) / CommVqAttention.MERGE_BITS), group));
        g.task(t.name("combine"), CommVqAttention::combine, ctx, c.merged(), c.tailWeights(), c.totals(), tailValues,
                embedding, scalePlusEps, s.att(), step.position(), shape.heads(), shape.kvHeads(), shape.headDim(),
                codeBits);
        t.grid("combine", Grids.perGroup(shape.heads() * shape.headDim() / CommVqAttention.COMBINE_DIMS, group));
    }

    /**
     * keyLogits' work-groups, the same number G for every KV head: one per two token slices of the capacity, at most
     * {@link #MAX_LOGIT_GROUPS_PER_HEAD}. Too few make each group walk many slices one after another: with one pair
     * per thread, 256 groups per head took 1.60 ms per layer at 128K on the H100 against 1.31 ms with 4096. With two
     * pairs per thread (8 tokens per slice): at 8K 512 groups per head took 86 µs against 104 µs with 2048, and at
     * 128K 2048 took 1.05 ms against 1.11 ms with 512.
     */
    private int logitGroups(int group, int pairs, int kvHeads) {
        int tokensPerGroup = CommVqAttention.logitTokensPerGroup(group, pairs);
        long slices = ((long) capacity + tokensPerGroup - 1) / tokensPerGroup;
        long perHead = Math.max(1, Math.min(MAX_LOGIT_GROUPS_PER_HEAD, (slices + 1) / 2));
        return (int) perHead * kvHeads;
    }
}
