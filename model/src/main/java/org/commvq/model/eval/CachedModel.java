package org.commvq.model.eval;

import org.commvq.cache.KvCache;
import org.commvq.model.forward.LlamaForward;
import org.commvq.model.generate.Generator;
import org.commvq.model.sampling.Sampler;
import org.commvq.model.sampling.SamplingParams;

/**
 * The real model behind the evaluation interfaces: every token goes through the KV cache, so what a compressed cache
 * loses shows up in the scores. One cache is reused (cleared) between windows and prompts.
 */
public final class CachedModel implements LogitsSource, GreedyCompletion {
    private final LlamaForward forward;
    private final KvCache cache;

    public CachedModel(LlamaForward forward, KvCache cache) {
        this.forward = forward;
        this.cache = cache;
    }

    public KvCache cache() {
        return cache;
    }

    @Override
    public int vocab() {
        return forward.shape().vocab();
    }

    @Override
    public void reset() {
        cache.clear();
    }

    @Override
    public float[] last(int[] tokens, int from, int n) {
        return forward.forward(tokens, from, n, cache.length(0), cache);
    }

    @Override
    public float[] all(int[] tokens, int from, int n) {
        return forward.forwardAll(tokens, from, n, cache.length(0), cache);
    }

    @Override
    public int[] complete(int[] prompt, int maxNew) {
        cache.clear();
        return new Generator(forward, cache).generate(prompt, maxNew, new Sampler(SamplingParams.greedy()),
                id -> false, id -> { }).generated();
    }
}
