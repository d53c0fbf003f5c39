package org.commvq.model.eval;

import java.util.function.IntUnaryOperator;
import org.commvq.model.tokenizer.Llama3Tokenizer;

/** UTF-8 bytes each token stands for, looked up once for the vocabulary: the denominator of bits per byte. */
public final class TokenBytes {
    private TokenBytes() {
    }

    public static IntUnaryOperator of(Llama3Tokenizer tokenizer) {
        int[] bytes = new int[tokenizer.vocabSize()];
        for (int id = 0; id < bytes.length; id++) {
            bytes[id] = tokenizer.bytes(id).length;
        }
        return id -> bytes[id];
    }
}
