package org.commvq.tornado.plan;

import org.commvq.cache.ModelShape;
import org.commvq.tornado.kernels.ChunkedAttention;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The per-chunk softmax summaries of {@link ChunkedAttention} for the dense caches of one graph's blocks, which write
 * and read them before the next block runs: max and sum per (chunk, query head), and the weighted value sums.
 */
public record DenseChunks(FloatArray chunkMax, FloatArray chunkSum, FloatArray chunkAcc, int chunk, int chunks) {

    public static DenseChunks allocate(String name, ModelShape shape, int capacity, DeviceMemoryBudget budget) {
        int chunk = ChunkedAttention.chunkFor(capacity);
        int chunks = (capacity + chunk - 1) / chunk;
        long summaries = (long) chunks * shape.heads();
        return new DenseChunks(budget.floats(name + ".chunkMax", summaries),
                budget.floats(name + ".chunkSum", summaries),
                budget.floats(name + ".chunkAcc", summaries * shape.headDim()), chunk, chunks);
    }

    public Object[] arrays() {
        return new Object[] {chunkMax, chunkSum, chunkAcc};
    }
}
