package org.commvq.cache.train;

import java.util.List;
import org.commvq.cache.codebook.ModelFingerprint;

/**
 * What a KV collection holds (the {@code manifest.json} of its folder): keys and values of every layer for
 * {@code sequences} windows of {@code seqLen} tokens, {@code chunkSequences} windows per chunk file. Keys are
 * pre-RoPE in the interleaved pair layout, as a {@link org.commvq.cache.KvCache} receives them; both are stored fp16,
 * which is also what the caches round them to before encoding.
 *
 * <p>With {@code queries}, the collection also holds each layer's queries (pre-RoPE like the keys, so both are
 * rotated the same way at training time: sequence s's token i sits at position i, under the fingerprint's RoPE) and
 * each layer's attention output projection W_o: what the attention-output term of the value loss needs (spec §1.6).
 * Collections made before queries were collected have none (manifest format 1).
 *
 * @param model     the model the activations came from
 * @param modelFile the model file's name, for people reading the manifest
 * @param sources   the text files, in the order their tokens were taken
 * @param split     which part of the texts was used ("training", or "all")
 */
public record KvManifest(ModelFingerprint model, String modelFile, List<String> sources, String split, int seqLen,
                         int sequences, int chunkSequences, int layers, int kvHeads, int headDim, boolean queries) {
    /** Keys and values only. */
    public static final int FORMAT_KV = 1;
    /** Queries and W_o as well. */
    public static final int FORMAT_QKV = 2;

    public KvManifest {
        sources = List.copyOf(sources);
        if (seqLen < 1 || sequences < 1 || chunkSequences < 1) {
            throw new IllegalArgumentException("a KV collection needs positive sequence length, sequence and chunk"
                    + " counts, got " + seqLen + ", " + sequences + ", " + chunkSequences);
        }
        if (layers != model.layers() || kvHeads != model.kvHeads() || headDim != model.headDim()) {
            throw new IllegalArgumentException("KV collection shape " + layers + "x" + kvHeads + "x" + headDim
                    + " differs from its model's " + model.layers() + "x" + model.kvHeads() + "x" + model.headDim());
        }
    }

    public long tokens() {
        return (long) seqLen * sequences;
    }

    /** F: floats per token and layer for keys (and for values). */
    public int kvDim() {
        return kvHeads * headDim;
    }

    /** Floats per token and layer for queries: all query heads. */
    public int queryDim() {
        return model.heads() * headDim;
    }

    /**
     * The same collection as its keys and values alone (format 1): what key training depends on, so keys trained
     * before queries were collected still match a collection of the same tokens that has queries too.
     */
    public KvManifest keysAndValues() {
        return new KvManifest(model, modelFile, sources, split, seqLen, sequences, chunkSequences, layers, kvHeads,
                headDim, false);
    }

    public int chunks() {
        return (sequences + chunkSequences - 1) / chunkSequences;
    }

    public int firstSequence(int chunk) {
        return chunk * chunkSequences;
    }

    public int chunkSequenceCount(int chunk) {
        return Math.min(chunkSequences, sequences - firstSequence(chunk));
    }

    public int chunkTokens(int chunk) {
        return chunkSequenceCount(chunk) * seqLen;
    }
}
