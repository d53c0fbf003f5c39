package org.commvq.model.synth;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.commvq.cache.ModelShape;
import org.commvq.cache.RopeParameters;
import org.commvq.model.gguf.GgmlType;
import org.commvq.model.gguf.GgufArray;
import org.commvq.model.gguf.GgufWriter;
import org.commvq.model.tokenizer.ByteLevel;

/**
 * Writes a llama GGUF of any shape with {@link SyntheticWeights}, for speed and memory measurements of shapes whose
 * real weights are not available here. The tokenizer is byte-level with no merges, so text round-trips but one
 * token is one byte.
 */
public final class SyntheticModelWriter {
    private static final int LLAMA3_SPECIALS = 256;
    /** Llama 3's control tokens in id order from 128000; null marks a reserved slot. */
    private static final String[] NAMED_SPECIALS = {"<|begin_of_text|>", "<|end_of_text|>", null, null,
        "<|finetune_right_pad_id|>", null, "<|start_header_id|>", "<|end_header_id|>", "<|eom_id|>", "<|eot_id|>",
        "<|python_tag|>"};
    private SyntheticModelWriter() {
    }

    public static void write(ModelShape s, String name, GgmlType matrixType, long seed, Path target)
            throws IOException {
        if (s.vocab() < 256 + LLAMA3_SPECIALS) {
            throw new IllegalArgumentException("a synthetic model needs a vocabulary of at least "
                    + (256 + LLAMA3_SPECIALS) + " tokens, got " + s.vocab());
        }
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

        double proj = 0.02;
        int t = 0;
        w.addTensor("token_embd.weight", matrixType, dims(s.dim(), s.vocab()), SyntheticWeights.uniform(seed, t++, proj));
        for (int i = 0; i < s.layers(); i++) {
            String p = "blk." + i + ".";
            w.addTensor(p + "attn_norm.weight", GgmlType.F32, new long[] {s.dim()}, SyntheticWeights.constant(1f));
            w.addTensor(p + "attn_q.weight", matrixType, dims(s.dim(), s.queryDim()),
                    SyntheticWeights.uniform(seed, t++, proj));
            w.addTensor(p + "attn_k.weight", matrixType, dims(s.dim(), s.kvDim()),
                    SyntheticWeights.uniform(seed, t++, proj));
            w.addTensor(p + "attn_v.weight", matrixType, dims(s.dim(), s.kvDim()),
                    SyntheticWeights.uniform(seed, t++, proj));
            w.addTensor(p + "attn_output.weight", matrixType, dims(s.queryDim(), s.dim()),
                    SyntheticWeights.uniform(seed, t++, proj));
            w.addTensor(p + "ffn_norm.weight", GgmlType.F32, new long[] {s.dim()}, SyntheticWeights.constant(1f));
            w.addTensor(p + "ffn_gate.weight", matrixType, dims(s.dim(), s.ffnDim()),
                    SyntheticWeights.uniform(seed, t++, proj));
            w.addTensor(p + "ffn_up.weight", matrixType, dims(s.dim(), s.ffnDim()),
                    SyntheticWeights.uniform(seed, t++, proj));
            w.addTensor(p + "ffn_down.weight", matrixType, dims(s.ffnDim(), s.dim()),
                    SyntheticWeights.uniform(seed, t++, proj));
        }
        w.addTensor("output_norm.weight", GgmlType.F32, new long[] {s.dim()}, SyntheticWeights.constant(1f));
        w.addTensor("output.weight", matrixType, dims(s.dim(), s.vocab()),
                SyntheticWeights.uniform(seed, t, 1 / Math.sqrt(s.dim())));
        w.write(target);
    }

    private static long[] dims(int cols, int rows) {
        return new long[] {cols, rows};
    }

    /**
     * Byte tokens first, then unique filler tokens, then 256 control tokens named as Llama 3 names them (at ids
     * 128000-128255 for the real vocabulary size), so chat templates and other Llama 3 tools find their markers.
     */
    private static void putTokenizer(GgufWriter w, int vocab) {
        int specialBase = vocab - LLAMA3_SPECIALS;
        List<String> tokens = new ArrayList<>(vocab);
        int[] types = new int[vocab];
        for (int b = 0; b < 256; b++) {
            tokens.add(String.valueOf(ByteLevel.charOf(b)));
            types[b] = 1;
        }
        for (int id = 256; id < specialBase; id++) {
            tokens.add("[filler" + id + "]");
            types[id] = 1;
        }
        int reserved = 0;
        for (int i = 0; i < LLAMA3_SPECIALS; i++) {
            String named = i < NAMED_SPECIALS.length ? NAMED_SPECIALS[i] : null;
            tokens.add(named != null ? named : "<|reserved_special_token_" + reserved++ + "|>");
            types[specialBase + i] = 3;
        }
        w.putString("tokenizer.ggml.model", "gpt2");
        w.putString("tokenizer.ggml.pre", "llama-bpe");
        w.putArray("tokenizer.ggml.tokens", GgufArray.ofStrings(tokens));
        w.putArray("tokenizer.ggml.merges", GgufArray.ofStrings(List.of()));
        w.putArray("tokenizer.ggml.token_type", GgufArray.ofInt32(types));
        w.putUInt32("tokenizer.ggml.bos_token_id", specialBase);
        w.putUInt32("tokenizer.ggml.eos_token_id", specialBase + 1);
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
