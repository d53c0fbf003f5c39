package org.commvq.model.eval;

import org.commvq.model.tokenizer.Llama3Tokenizer;

/** Text to token ids and back: all the retrieval prompts need of a tokenizer, so tests can use a trivial one. */
public interface TextCodec {

    int bos();

    /** Ids of the text, without BOS. */
    int[] encode(String text);

    String decode(int[] ids);

    static TextCodec of(Llama3Tokenizer tokenizer) {
        return new TextCodec() {
            @Override
            public int bos() {
                return tokenizer.bos();
            }

            @Override
            public int[] encode(String text) {
                return tokenizer.encode(text, false);
            }

            @Override
            public String decode(int[] ids) {
                return tokenizer.decode(ids);
            }
        };
    }
}
