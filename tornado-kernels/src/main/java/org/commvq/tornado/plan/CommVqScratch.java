package org.commvq.tornado.plan;

import org.commvq.cache.ModelShape;
import org.commvq.tornado.kernels.CommVqAttention;
import org.commvq.tornado.kernels.CommVqDeviceLayout;

import uk.ac.manchester.tornado.api.types.arrays.DoubleArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * What the CommVQ blocks of one graph share: the RoPE frequencies ω_p in double (the kernels turn n·ω_p into angles
 * at any position), the per-chunk softmax summaries of {@link CommVqAttention#valueChunks}, and what
 * {@link CommVqAttention#softmaxSummary} and {@link CommVqAttention#mergeChunks} make of them; one block writes and
 * reads them before the next block runs.
 */
public record CommVqScratch(DoubleArray omega, FloatArray chunkMax, FloatArray chunkSum, FloatArray chunkAcc,
                            FloatArray chunkWeights, FloatArray tailWeights, FloatArray totals, FloatArray merged,
                            int chunk, int chunks) {

    public static CommVqScratch allocate(String name, ModelShape shape, int capacity, int codeBits,
                                         DeviceMemoryBudget budget) {
        int chunk = CommVqAttention.chunkFor(capacity);
        int chunks = (capacity + chunk - 1) / chunk;
        long summaries = (long) chunks * shape.heads();
        DoubleArray omega = budget.doubles(name + ".omega", shape.headDim() / 2);
        double[] frequencies = shape.rope().frequencies(shape.headDim());
        for (int p = 0; p < frequencies.length; p++) {
            omega.set(p, frequencies[p]);
        }
        return new CommVqScratch(omega, budget.floats(name + ".chunkMax", summaries),
                budget.floats(name + ".chunkSum", summaries), budget.floats(name + ".chunkAcc", summaries * codeBits),
                budget.floats(name + ".chunkWeights", summaries),
                budget.floats(name + ".tailWeights", (long) shape.heads() * CommVqDeviceLayout.BLOCK),
                budget.floats(name + ".totals", shape.heads()),
                budget.floats(name + ".merged", (long) shape.heads() * codeBits), chunk, chunks);
    }

    public Object[] arrays() {
        return new Object[] {omega, chunkMax, chunkSum, chunkAcc, chunkWeights, tailWeights, totals, merged};
    }
}
