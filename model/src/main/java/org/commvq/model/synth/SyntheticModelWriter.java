package org.commvq.model.synth;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.commvq.cache.ModelShape;
import org.commvq.cache.RopeParameters;
import org.commvq.model.gguf.FloatSource;
import org.commvq.model.gguf.GgmlType;
import org.commvq.model.gguf.GgufArray;
import org.commvq.model.gguf.GgufWriter;
import org.commvq.model.synth.SyntheticTensors.Matrix;

/**
 * Writes a llama GGUF of any shape with {@link SyntheticWeights}, for speed and memory measurements of shapes whose
 * real weights are not available here. The tokenizer is byte-level with no merges, so text round-trips but one
 * token is one byte.
 */
public final class SyntheticModelWriter {
    private SyntheticModelWriter() {
    }

    public static void write(ModelShape s, String name, GgmlType matrixType, long seed, Path target)
            throws IOException {
        SyntheticVocabulary.checkSize(s.vocab());
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", "llama");
        w.putString("general.name", name);
        w.putUInt32("general.file_type", fileType(matrixType));
        w.putUInt32("llama.vocab_size", s.vocab());
        w.putUInt32("llama.context_length", s.contextLength());
        w.putUInt32("llama.embedding_length", s.dim());
        w.putUInt32("llama.block_count", s.layers());
        w.putUInt32("llama.feed_forward_length", s.ffnDim());
        w.putUInt32("llama.attention.head_count", s.heads());
        w.putUInt32("llama.attention.head_count_kv", s.kvHeads());
        w.putUInt32("llama.attention.key_length", s.headDim());
        w.putUInt32("llama.attention.value_length", s.headDim());
        w.putUInt32("llama.rope.dimension_count", s.headDim());
        w.putFloat32("llama.rope.freq_base", (float) s.rope().theta());
        w.putFloat32("llama.attention.layer_norm_rms_epsilon", s.rmsEps());
        RopeParameters r = s.rope();
        if (r.scaled()) {
            w.putString("llama.rope.scaling.type", "llama3");
            w.putFloat32("llama.rope.scaling.factor", (float) r.factor());
            w.putFloat32("llama.rope.scaling.low_freq_factor", (float) r.lowFreqFactor());
            w.putFloat32("llama.rope.scaling.high_freq_factor", (float) r.highFreqFactor());
            w.putUInt32("llama.rope.scaling.original_context_length", r.originalContext());
        }
        putTokenizer(w, s.vocab());

        w.addTensor("token_embd.weight", matrixType, dims(s.dim(), s.vocab()), SyntheticTensors.embedding(seed));
        for (int i = 0; i < s.layers(); i++) {
            String p = "blk." + i + ".";
            w.addTensor(p + "attn_norm.weight", GgmlType.F32, new long[] {s.dim()}, SyntheticWeights.constant(1f));
            w.addTensor(p + "attn_q.weight", matrixType, dims(s.dim(), s.queryDim()), layer(seed, i, Matrix.Q));
            w.addTensor(p + "attn_k.weight", matrixType, dims(s.dim(), s.kvDim()), layer(seed, i, Matrix.K));
            w.addTensor(p + "attn_v.weight", matrixType, dims(s.dim(), s.kvDim()), layer(seed, i, Matrix.V));
            w.addTensor(p + "attn_output.weight", matrixType, dims(s.queryDim(), s.dim()), layer(seed, i, Matrix.O));
            w.addTensor(p + "ffn_norm.weight", GgmlType.F32, new long[] {s.dim()}, SyntheticWeights.constant(1f));
            w.addTensor(p + "ffn_gate.weight", matrixType, dims(s.dim(), s.ffnDim()), layer(seed, i, Matrix.GATE));
            w.addTensor(p + "ffn_up.weight", matrixType, dims(s.dim(), s.ffnDim()), layer(seed, i, Matrix.UP));
            w.addTensor(p + "ffn_down.weight", matrixType, dims(s.ffnDim(), s.dim()), layer(seed, i, Matrix.DOWN));
        }
        w.addTensor("output_norm.weight", GgmlType.F32, new long[] {s.dim()}, SyntheticWeights.constant(1f));
        w.addTensor("output.weight", matrixType, dims(s.dim(), s.vocab()), SyntheticTensors.output(seed, s));
        w.write(target);
    }

    private static FloatSource layer(long seed, int layer, Matrix m) {
        return SyntheticTensors.layer(seed, layer, m);
    }

    private static long[] dims(int cols, int rows) {
        return new long[] {cols, rows};
    }

    private static void putTokenizer(GgufWriter w, int vocab) {
        SyntheticVocabulary v = SyntheticVocabulary.of(vocab);
        w.putString("tokenizer.ggml.model", "gpt2");
        w.putString("tokenizer.ggml.pre", "llama-bpe");
        w.putArray("tokenizer.ggml.tokens", GgufArray.ofStrings(v.tokens()));
        w.putArray("tokenizer.ggml.merges", GgufArray.ofStrings(List.of()));
        w.putArray("tokenizer.ggml.token_type", GgufArray.ofInt32(v.types()));
        w.putUInt32("tokenizer.ggml.bos_token_id", v.bos());
        w.putUInt32("tokenizer.ggml.eos_token_id", v.eos());
        w.putBool("tokenizer.ggml.add_bos_token", true);
    }

    private static int fileType(GgmlType t) {
        return switch (t) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q8_0 -> 7;
            case BF16 -> 32;
            default -> throw new IllegalArgumentException("--type " + t + " is not supported; use f32, f16, bf16,"
                    + " q8_0 or q4_0");
        };
    }
}
