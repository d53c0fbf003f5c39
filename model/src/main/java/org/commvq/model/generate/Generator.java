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

    private final LlamaForward forward;
    private final KvCache cache;
    private final int prefillChunk;

    public Generator(LlamaForward forward, KvCache cache, int prefillChunk) {
        if (prefillChunk < 1) {
            throw new IllegalArgumentException("prefill chunk must be at least 1, got " + prefillChunk);
        }
        this.forward = forward;
        this.cache = cache;
        this.prefillChunk = prefillChunk;
    }

    public Generator(LlamaForward forward, KvCache cache) {
        this(forward, cache, DEFAULT_PREFILL_CHUNK);
    }

    /**
     * Generates up to maxNew tokens after the prompt, starting at the cache's current length (so a chat can continue
     * a conversation). Each generated token is passed to {@code sink} as soon as it is chosen.
     */
    public GenerationResult generate(int[] prompt, int maxNew, Sampler sampler, IntPredicate isEnd, IntConsumer sink) {
        int start = cache.length(0);
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt has no tokens");
        }
        if (start + prompt.length > cache.capacity()) {
            throw new IllegalArgumentException("the prompt has " + prompt.length + " tokens"
                    + (start > 0 ? " after " + start + " earlier ones" : "") + ", more than --ctx-size "
                    + cache.capacity());
        }
        long t0 = System.nanoTime();
        float[] logits = null;
        for (int from = 0; from < prompt.length; from += prefillChunk) {
            int n = Math.min(prefillChunk, prompt.length - from);
            logits = forward.forward(prompt, from, n, start + from, cache);
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
            if (pos >= cache.capacity()) {
                reason = GenerationResult.StopReason.CONTEXT_FULL;
                break;
            }
            one[0] = next;
            long s = System.nanoTime();
            logits = forward.forward(one, 0, 1, pos++, cache);
            decodeNanos += System.nanoTime() - s;
            steps++;
        }
        return new GenerationResult(prompt.length, java.util.Arrays.copyOf(out, count), prefillNanos, steps,
                decodeNanos, reason);
    }
}
