package org.commvq.model.backend;

import org.commvq.cache.CacheMemory;
import org.commvq.cache.KvCache;
import org.commvq.model.forward.LlamaForward;
import org.commvq.model.forward.LlamaWeights;
import org.commvq.model.generate.Generator;
import org.commvq.model.load.LoadedModel;

/** {@link LlamaForward} with a {@link KvCache}; prompts go through in the same batches as {@link Generator}'s. */
final class CpuSession implements InferenceSession {
    private final LlamaForward forward;
    private final KvCache cache;
    private final SessionInfo info;

    CpuSession(LoadedModel model, KvCache cache, String device) {
        this.forward = model.forward();
        this.cache = cache;
        LlamaWeights w = model.weights();
        long embeddingRow = w.tokenEmbedding().byteSize() / w.tokenEmbedding().rows();
        this.info = new SessionInfo(CpuBackend.NAME, device, model.weightType(), cache.type(),
                w.byteSize() - w.tokenEmbedding().byteSize() + embeddingRow, 0);
    }

    @Override
    public SessionInfo info() {
        return info;
    }

    @Override
    public int capacity() {
        return cache.capacity();
    }

    @Override
    public int length() {
        return cache.length(0);
    }

    @Override
    public float[] forward(int[] tokens, int from, int n, int pos) {
        SessionChecks.inOrder(pos, length(), n, capacity());
        float[] logits = null;
        for (int done = 0; done < n; done += Generator.DEFAULT_PREFILL_CHUNK) {
            int chunk = Math.min(Generator.DEFAULT_PREFILL_CHUNK, n - done);
            logits = forward.forward(tokens, from + done, chunk, pos + done, cache);
        }
        return logits;
    }

    @Override
    public void reset() {
        cache.clear();
    }

    @Override
    public CacheMemory memory() {
        return cache.memory();
    }

    @Override
    public void close() {
    }
}
