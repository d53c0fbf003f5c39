package org.commvq.model.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * A made-up model: the logits after a token depend only on that token, and every call is recorded so tests can
 * check what was fed when.
 */
final class FakeLogits implements LogitsSource {
    private final int vocab;
    private final IntFunction<float[]> after;
    final List<List<Integer>> fedPerReset = new ArrayList<>();
    final List<Integer> callSizes = new ArrayList<>();

    FakeLogits(int vocab, IntFunction<float[]> after) {
        this.vocab = vocab;
        this.after = after;
    }

    static FakeLogits uniform(int vocab) {
        return new FakeLogits(vocab, t -> new float[vocab]);
    }

    /** Certain of the successor id + 1, except after token 0 (BOS), where it is uniform. */
    static FakeLogits successor(int vocab) {
        return new FakeLogits(vocab, t -> {
            float[] l = new float[vocab];
            if (t != 0) {
                l[(t + 1) % vocab] = 100;
            }
            return l;
        });
    }

    @Override
    public int vocab() {
        return vocab;
    }

    @Override
    public void reset() {
        fedPerReset.add(new ArrayList<>());
    }

    @Override
    public float[] last(int[] tokens, int from, int n) {
        float[] all = all(tokens, from, n);
        float[] last = new float[vocab];
        System.arraycopy(all, (n - 1) * vocab, last, 0, vocab);
        return last;
    }

    @Override
    public float[] all(int[] tokens, int from, int n) {
        callSizes.add(n);
        float[] out = new float[n * vocab];
        for (int i = 0; i < n; i++) {
            fedPerReset.getLast().add(tokens[from + i]);
            System.arraycopy(after.apply(tokens[from + i]), 0, out, i * vocab, vocab);
        }
        return out;
    }
}
