package org.commvq.model.collect;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.commvq.cache.ModelShape;
import org.commvq.cache.codebook.ModelFingerprint;
import org.commvq.cache.fp.Fp32KvCache;
import org.commvq.cache.train.KvCollection;
import org.commvq.cache.train.KvManifest;
import org.commvq.cache.train.Progress;
import org.commvq.model.forward.LlamaForward;
import org.commvq.model.forward.LlamaWeights;
import org.commvq.model.load.LoadedModel;
import org.commvq.model.tensor.WeightMatrix;

/**
 * Runs a model over texts and stores every layer's pre-RoPE keys, values and queries, and W_o (a
 * {@link KvCollection}): the data the codebook trainers learn from. Attention is exact (an fp32 cache), each
 * sequence starts at position 0 with an empty cache. Chunks already on disk are skipped, so an interrupted
 * collection resumes where it stopped.
 */
public final class KvCollector {
    /** Which lines of the texts to use. */
    public enum Split {
        /** The lines tiny-llama-29m trained on ({@link CorpusSplit}); the right choice for its codebooks. */
        TRAINING,
        /** Every line, for texts that have no split. */
        ALL
    }

    /**
     * @param tokens      tokens to collect per layer; rounded up to whole sequences
     * @param chunkTokens about how many tokens one chunk file holds (whole sequences)
     */
    public record Options(long tokens, int seqLen, int chunkTokens, Split split) {
        public Options {
            if (tokens < 1 || seqLen < 2 || chunkTokens < 1) {
                throw new IllegalArgumentException("--tokens must be >= 1, --seq-len >= 2 and the chunk size >= 1");
            }
        }
    }

    public record Summary(KvCollection collection, int chunksWritten, int chunksSkipped, int streamTokens) {
    }

    private KvCollector() {
    }

    public static Summary collect(LoadedModel model, List<Path> texts, Options o, Path out, Progress progress) {
        ModelShape shape = model.shape();
        if (o.seqLen() > shape.contextLength()) {
            throw new IllegalArgumentException("--seq-len " + o.seqLen() + " exceeds the model's context of "
                    + shape.contextLength());
        }
        int sequences = Math.toIntExact((o.tokens() + o.seqLen() - 1) / o.seqLen());
        int chunkSequences = Math.max(1, o.chunkTokens() / o.seqLen());
        List<String> sources = new ArrayList<>();
        List<String> documents = new ArrayList<>();
        for (Path text : texts) {
            Path abs = text.toAbsolutePath().normalize();
            sources.add(abs.toString());
            String content = read(abs);
            documents.addAll(o.split() == Split.TRAINING ? CorpusSplit.training(content) : List.of(content));
        }
        KvManifest manifest = new KvManifest(ModelFingerprint.of(shape, model.vocabHash()),
                model.source().getFileName().toString(), sources, o.split().name().toLowerCase(Locale.ROOT),
                o.seqLen(), sequences, chunkSequences, shape.layers(), shape.kvHeads(), shape.headDim(), true);
        KvCollection collection = KvCollection.create(out, manifest);
        if (!collection.hasAttentionOutput()) {
            collection.writeAttentionOutput(attentionOutputs(model.forward().weights(), shape), shape.dim());
        }
        List<Integer> missing = collection.missingChunks();
        int skipped = manifest.chunks() - missing.size();
        progress.skip(manifest.tokens() - missing.stream().mapToLong(manifest::chunkTokens).sum());
        if (missing.isEmpty()) {
            return new Summary(collection, 0, skipped, 0);
        }
        TokenWindows windows = new TokenWindows(documents, model.tokenizer(), o.seqLen(), sequences);
        LlamaForward forward = model.forward();
        KvRecorder recorder = new KvRecorder(new Fp32KvCache(shape, o.seqLen()));
        for (int chunk : missing) {
            writeChunk(collection, chunk, windows, forward, recorder, progress);
        }
        return new Summary(collection, missing.size(), skipped, windows.streamTokens());
    }

    private static void writeChunk(KvCollection collection, int chunk, TokenWindows windows, LlamaForward forward,
                                   KvRecorder recorder, Progress progress) {
        KvManifest m = collection.manifest();
        int f = m.kvDim();
        int seqLen = m.seqLen();
        int count = m.chunkSequenceCount(chunk);
        float[][] keys = new float[m.layers()][count * seqLen * f];
        float[][] values = new float[m.layers()][count * seqLen * f];
        float[][] queries = new float[m.layers()][count * seqLen * m.queryDim()];
        int[] ids = new int[count * seqLen];
        for (int s = 0; s < count; s++) {
            int[] seq = windows.sequence(m.firstSequence(chunk) + s);
            System.arraycopy(seq, 0, ids, s * seqLen, seqLen);
            recorder.clear();
            forward.forward(seq, 0, seqLen, 0, recorder);
            for (int l = 0; l < m.layers(); l++) {
                System.arraycopy(recorder.keys(l), 0, keys[l], s * seqLen * f, seqLen * f);
                System.arraycopy(recorder.values(l), 0, values[l], s * seqLen * f, seqLen * f);
                System.arraycopy(recorder.queries(l), 0, queries[l], s * seqLen * m.queryDim(),
                        seqLen * m.queryDim());
            }
            progress.advance(seqLen);
        }
        collection.writeChunk(chunk, keys, values, queries, ids);
    }

    /** Every layer's W_o [dim][heads·d], dequantized. */
    private static float[][] attentionOutputs(LlamaWeights weights, ModelShape shape) {
        float[][] out = new float[shape.layers()][shape.dim() * shape.queryDim()];
        for (int l = 0; l < shape.layers(); l++) {
            WeightMatrix wo = weights.layers().get(l).wo();
            for (int r = 0; r < shape.dim(); r++) {
                wo.row(r, out[l], r * shape.queryDim());
            }
        }
        return out;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read it as UTF-8 text (" + e.getMessage() + ")", e);
        }
    }
}
