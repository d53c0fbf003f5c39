package org.commvq.model.load;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.commvq.cache.ModelShape;
import org.commvq.cache.RopeParameters;
import org.commvq.model.ModelFormatException;
import org.commvq.model.forward.LayerWeights;
import org.commvq.model.forward.LlamaWeights;
import org.commvq.model.gguf.GgufFile;
import org.commvq.model.gguf.GgufMetadata;
import org.commvq.model.gguf.GgufTensor;
import org.commvq.model.tokenizer.Llama3Tokenizer;

/** A llama-architecture GGUF file → {@link LoadedModel}, with weights left memory-mapped. */
final class GgufModelLoader {
    private GgufModelLoader() {
    }

    static LoadedModel load(Path path) {
        GgufFile file = GgufFile.open(path);
        try {
            GgufMetadata md = file.metadata();
            String arch = md.getString("general.architecture");
            if (!arch.equals("llama")) {
                throw new ModelFormatException(path, "general.architecture is '" + arch + "', expected 'llama'");
            }
            ModelShape shape = shape(file, md);
            LlamaWeights weights = weights(file, shape);
            try {
                weights.check(shape);
            } catch (IllegalArgumentException e) {
                throw new ModelFormatException(path, e.getMessage());
            }
            Llama3Tokenizer tokenizer = tokenizer(path, md);
            if (tokenizer.vocabSize() != shape.vocab()) {
                throw new ModelFormatException(path, "the tokenizer has " + tokenizer.vocabSize()
                        + " tokens but the weights have a vocabulary of " + shape.vocab());
            }
            return new LoadedModel(path, "GGUF v" + file.version(), md.getString("general.name", "(unnamed)"),
                    weights.layers().get(0).wq().typeName(), shape, weights, tokenizer,
                    tokenizer.vocabularyHash(), describe(md), file);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    private static ModelShape shape(GgufFile file, GgufMetadata md) {
        int dim = md.getInt("llama.embedding_length");
        int heads = md.getInt("llama.attention.head_count");
        int kvHeads = md.getInt("llama.attention.head_count_kv", heads);
        int headDim = md.getInt("llama.attention.key_length", dim / heads);
        int ropeDim = md.getInt("llama.rope.dimension_count", headDim);
        if (ropeDim != headDim) {
            throw new ModelFormatException(file.path(), "llama.rope.dimension_count is " + ropeDim
                    + ", expected the head width " + headDim + " (partial rotary embeddings are not supported)");
        }
        int vocab = md.findInt("llama.vocab_size").orElseGet(() -> (int) file.tensor("token_embd.weight").dims()[1]);
        try {
            return new ModelShape(md.getInt("llama.block_count"), dim, heads, kvHeads, headDim,
                    md.getInt("llama.feed_forward_length"), vocab, md.getInt("llama.context_length"),
                    md.getFloat("llama.attention.layer_norm_rms_epsilon"), rope(file, md, headDim));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file.path(), "inconsistent llama metadata: " + e.getMessage());
        }
    }

    /**
     * Plain RoPE, or llama3 scaling given by {@code llama.rope.scaling.*} keys. llama.cpp's converter stores llama3
     * scaling as a {@code rope_freqs.weight} tensor of per-pair divisors instead; those are checked against the
     * llama3 formula (factor = the largest divisor) so that a model with any other scaling is refused, not misread.
     */
    private static RopeParameters rope(GgufFile file, GgufMetadata md, int headDim) {
        double theta = md.getDouble("llama.rope.freq_base", 10000.0);
        String type = md.getString("llama.rope.scaling.type", "none");
        var freqs = file.findTensor("rope_freqs.weight");
        if (type.equals("none") && freqs.isEmpty()) {
            return RopeParameters.plain(theta);
        }
        if (!type.equals("none") && !type.equals("llama3")) {
            throw new ModelFormatException(file.path(), "llama.rope.scaling.type '" + type
                    + "' is not supported, expected none or llama3");
        }
        int original = md.getInt("llama.rope.scaling.original_context_length", 8192);
        double low = md.getDouble("llama.rope.scaling.low_freq_factor", 1.0);
        double high = md.getDouble("llama.rope.scaling.high_freq_factor", 4.0);
        if (freqs.isEmpty()) {
            return RopeParameters.llama3(theta, md.getDouble("llama.rope.scaling.factor"), low, high, original);
        }
        float[] divisors = freqs.get().toFloats();
        if (divisors.length != headDim / 2) {
            throw new ModelFormatException(file.path(), "rope_freqs.weight has " + divisors.length
                    + " values, expected " + headDim / 2);
        }
        double factor = 1;
        for (float d : divisors) {
            factor = Math.max(factor, d);
        }
        RopeParameters p = RopeParameters.llama3(theta, md.getDouble("llama.rope.scaling.factor", factor), low, high,
                original);
        RopeParameters plain = RopeParameters.plain(theta);
        for (int i = 0; i < divisors.length; i++) {
            double expected = plain.frequency(i, headDim) / p.frequency(i, headDim);
            if (Math.abs(divisors[i] - expected) > 1e-3 * expected) {
                throw new ModelFormatException(file.path(), "rope_freqs.weight[" + i + "] = " + divisors[i]
                        + " does not follow llama3 scaling (expected " + (float) expected + ")");
            }
        }
        return p;
    }

    private static LlamaWeights weights(GgufFile file, ModelShape shape) {
        List<LayerWeights> layers = new ArrayList<>();
        for (int i = 0; i < shape.layers(); i++) {
            String p = "blk." + i + ".";
            layers.add(new LayerWeights(file.tensor(p + "attn_norm.weight").toFloats(),
                    file.tensor(p + "attn_q.weight").matrix(), file.tensor(p + "attn_k.weight").matrix(),
                    file.tensor(p + "attn_v.weight").matrix(), file.tensor(p + "attn_output.weight").matrix(),
                    file.tensor(p + "ffn_norm.weight").toFloats(), file.tensor(p + "ffn_gate.weight").matrix(),
                    file.tensor(p + "ffn_up.weight").matrix(), file.tensor(p + "ffn_down.weight").matrix()));
        }
        GgufTensor embedding = file.tensor("token_embd.weight");
        GgufTensor output = file.findTensor("output.weight").orElse(embedding);
        return new LlamaWeights(embedding.matrix(), List.copyOf(layers),
                file.tensor("output_norm.weight").toFloats(), output.matrix());
    }

    private static Llama3Tokenizer tokenizer(Path path, GgufMetadata md) {
        String model = md.getString("tokenizer.ggml.model");
        if (!model.equals("gpt2")) {
            throw new ModelFormatException(path, "tokenizer.ggml.model is '" + model
                    + "', expected 'gpt2' (byte-level BPE, as Llama 3 uses)");
        }
        List<String> tokens = md.getStringList("tokenizer.ggml.tokens");
        List<String> merges = md.findStringList("tokenizer.ggml.merges").orElse(List.of());
        int[] types = md.findIntArray("tokenizer.ggml.token_type").orElse(new int[tokens.size()]);
        if (types.length != tokens.size()) {
            throw new ModelFormatException(path, "tokenizer.ggml.token_type has " + types.length
                    + " entries, expected one per token (" + tokens.size() + ")");
        }
        int bos = md.getInt("tokenizer.ggml.bos_token_id");
        int eos = md.getInt("tokenizer.ggml.eos_token_id");
        try {
            return Llama3Tokenizer.fromVocabulary(tokens, merges, types, bos, eos);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(path, "bad tokenizer metadata: " + e.getMessage());
        }
    }

    /** Scalar metadata for `commvq info`; long arrays (the vocabulary) are summarised by their length. */
    private static Map<String, String> describe(GgufMetadata md) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String key : md.keys()) {
            String v = md.get(key).toString();
            out.put(key, v.length() > 120 ? v.substring(0, 117) + "..." : v);
        }
        return out;
    }
}
