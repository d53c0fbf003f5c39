package org.commvq.model.synth;

import java.util.ArrayList;
import java.util.List;

import org.commvq.model.tokenizer.ByteLevel;

/**
 * The vocabulary of a synthetic model: byte tokens first, then unique filler tokens, then 256 control tokens named
 * as Llama 3 names them (at ids 128000-128255 for the real vocabulary size), so chat templates and other Llama 3
 * tools find their markers. There are no merges, so text round-trips but one token is one byte.
 *
 * @param types token types as GGUF stores them (1 normal, 3 control)
 */
public record SyntheticVocabulary(List<String> tokens, int[] types, int bos, int eos) {
    private static final int LLAMA3_SPECIALS = 256;
    /** Llama 3's control tokens in id order from 128000; null marks a reserved slot. */
    private static final String[] NAMED_SPECIALS = {"<|begin_of_text|>", "<|end_of_text|>", null, null,
        "<|finetune_right_pad_id|>", null, "<|start_header_id|>", "<|end_header_id|>", "<|eom_id|>", "<|eot_id|>",
        "<|python_tag|>"};

    static void checkSize(int vocab) {
        if (vocab < 256 + LLAMA3_SPECIALS) {
            throw new IllegalArgumentException("a synthetic model needs a vocabulary of at least "
                    + (256 + LLAMA3_SPECIALS) + " tokens, got " + vocab);
        }
    }

    public static SyntheticVocabulary of(int vocab) {
        checkSize(vocab);
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
        return new SyntheticVocabulary(tokens, types, specialBase, specialBase + 1);
    }
}
