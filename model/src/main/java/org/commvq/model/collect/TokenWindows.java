package org.commvq.model.collect;

import java.util.ArrayList;
import java.util.List;
import org.commvq.model.tokenizer.Llama3Tokenizer;

/**
 * The sequences a KV collection runs: the documents become one token stream, {@code BOS doc EOS} each (as the
 * tiny model's training stream was built), and each sequence is BOS followed by L−1 consecutive stream tokens.
 * The sequences start at evenly spaced stream positions, so a small collection still samples every source.
 */
final class TokenWindows {
    private final int[] stream;
    private final int seqLen;
    private final int sequences;
    private final int bos;

    TokenWindows(List<String> documents, Llama3Tokenizer tokenizer, int seqLen, int sequences) {
        List<int[]> docs = new ArrayList<>();
        long total = 0;
        for (String doc : documents) {
            int[] ids = tokenizer.encode(doc, true);
            docs.add(ids);
            total += ids.length + 1;
        }
        this.stream = new int[Math.toIntExact(total)];
        int at = 0;
        for (int[] ids : docs) {
            System.arraycopy(ids, 0, stream, at, ids.length);
            at += ids.length;
            stream[at++] = tokenizer.eos();
        }
        this.seqLen = seqLen;
        this.sequences = sequences;
        this.bos = tokenizer.bos();
        if (stream.length < seqLen - 1) {
            throw new IllegalArgumentException("the texts give " + stream.length + " tokens, fewer than one sequence"
                    + " of " + seqLen);
        }
    }

    int streamTokens() {
        return stream.length;
    }

    /** Sequence i: BOS, then L−1 stream tokens from position ⌊i·(S − L + 1)/count⌋. */
    int[] sequence(int i) {
        long span = stream.length - (seqLen - 1);
        int start = (int) (i * span / sequences);
        int[] out = new int[seqLen];
        out[0] = bos;
        System.arraycopy(stream, start, out, 1, seqLen - 1);
        return out;
    }
}
