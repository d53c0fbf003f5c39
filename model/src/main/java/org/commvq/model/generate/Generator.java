package org.commvq.model.generate;

import java.util.function.IntConsumer;
import java.util.function.IntPredicate;
import org.commvq.cache.KvCache;
import org.commvq.model.forward.LlamaForward;
import org.commvq.model.sampling.Sampler;

/**
 * Prefill then decode: the prompt goes through the model in chunks of at most {@code prefillChunk} tokens (one chunk
 * for ordinary prompts, so compressed caches see the whole prompt exactly, as the CommVQ reference does), then one
 * token at a time until the limit, an end token, or a full context.
 */
public final class Generator {
    public static final int DEFAULT_PREFILL_CHUNK = 4096;

    /** What generation needs of a model and its cache, on whatever device they live. */
    public interface Model {
        /** Tokens in the cache so far. */
        int length();

        /** Most tokens the cache holds. */
        int capacity();

        /** Runs n tokens at positions pos..pos+n-1 and returns the logits of the last one. */
        float[] forward(int[] tokens, int from, int n, int pos);
    }

    private final Model model;
    private final int prefillChunk;

    public Generator(Model model, int prefillChunk) {
        if (prefillChunk < 1) {
            throw new IllegalArgumentException("prefill chunk must be at least 1, got " + prefillChunk);
        }
        this.model = model;
        this.prefillChunk = prefillChunk;
    }

    public Generator(Model model) {
        this(model, DEFAULT_PREFILL_CHUNK);
    }

    /** The CPU forward pass over a cache. */
    public Generator(LlamaForward forward, KvCache cache) {
        this(cpu(forward, cache));
    }

    private static Model cpu(LlamaForward forward, KvCache cache) {
        return new Model() {
            @Override
            public int length() {
                return cache.length(0);
            }

            @Override
            public int capacity() {
                return cache.capacity();
            }

            @Override
            public float[] forward(int[] tokens, int from, int n, int pos) {
                return forward.forward(tokens, from, n, pos, cache);
            }
        };
    }

    /**
     * Generates up to maxNew tokens after the prompt, starting at the cache's current length (so a chat can continue
     * a conversation). Each generated token is passed to {@code sink} as soon as it is chosen.
     */
    public GenerationResult generate(int[] prompt, int maxNew, Sampler sampler, IntPredicate isEnd, IntConsumer sink) {
        int start = model.length();
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt has no tokens");
        }
        if (start + prompt.length > model.capacity()) {
            throw new IllegalArgumentException("the prompt has " + prompt.length + " tokens"
                    + (start > 0 ? " after " + start + " earlier ones" : "") + ", more than --ctx-size "
                    + model.capacity());
        }
        long t0 = System.nanoTime();
        float[] logits = null;
        for (int from = 0; from < prompt.length; from += prefillChunk) {
            int n = Math.min(prefillChunk, prompt.length - from);
            logits = model.forward(prompt, from, n, start + from);
        }
        long prefillNanos = System.nanoTime() - t0;

        int[] out = new int[Math.max(0, maxNew)];
        int count = 0;
        int pos = start + prompt.length;
        long decodeNanos = 0;
        int steps = 0;
        GenerationResult.StopReason reason = GenerationResult.StopReason.MAX_TOKENS;
        int[] one = new int[1];
        while (count < maxNew) {
            int next = sampler.sample(logits);
            out[count++] = next;
            sink.accept(next);
            if (isEnd.test(next)) {
                reason = GenerationResult.StopReason.END_OF_TEXT;
                break;
            }
            if (count == maxNew) {
                break;
            }
            if (pos >= model.capacity()) {
                reason = GenerationResult.StopReason.CONTEXT_FULL;
                break;
            }
            one[0] = next;
            long s = System.nanoTime();
            logits = model.forward(one, 0, 1, pos++);
            decodeNanos += System.nanoTime() - s;
            steps++;
        }
        return new GenerationResult(prompt.length, java.util.Arrays.copyOf(out, count), prefillNanos, steps,
                decodeNanos, reason);
    }
}
