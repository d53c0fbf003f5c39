package org.commvq.tornado.kernels;

import java.util.Random;

import org.commvq.tornado.plan.Grids;
import org.commvq.tornado.testing.Kernels;
import org.commvq.tornado.testing.RequiresTornado;
import org.commvq.tornado.testing.Tolerance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * {@link CommVqAttention#valueChunks} against the per-chunk sums computed in double from the same scores, scales and
 * bits: every chunk's max, its sum of e^{score−max} and every bit's weighted sum, for 12 query heads (a group of 8 and
 * a remainder of 4). At a position that encodes a block, the block's bits come from the encoder's rows, which the
 * kernel must also leave in the cache's words. Tolerance: 1e-5 relative to the sum of the terms' magnitudes, float
 * summation in another order.
 */
@RequiresTornado
class CommVqValueChunksTest {
    private static final int HEADS = 12;
    private static final int CODE_BITS = 64;

    @ParameterizedTest(name = "capacity {0}, position {1}")
    @CsvSource({"640, 517", "640, 512", "1280, 896", "100000, 33000"})
    void chunkSumsMatchDoublePrecisionSums(int capacity, int position) {
        Random random = new Random(capacity + position);
        int chunk = CommVqAttention.chunkFor(capacity);
        int chunks = (capacity + chunk - 1) / chunk;
        int bytes = CODE_BITS / 8;
        FloatArray scores = new FloatArray(HEADS * capacity);
        for (int i = 0; i < scores.getSize(); i++) {
            scores.set(i, random.nextFloat() * 8 - 4);
        }
        FloatArray sigmas = new FloatArray(capacity);
        for (int i = 0; i < capacity; i++) {
            sigmas.set(i, 0.5f + random.nextFloat());
        }
        IntArray bits = new IntArray((int) CommVqDeviceLayout.valueWords(capacity, CODE_BITS));
        for (int i = 0; i < bits.getSize(); i++) {
            bits.set(i, random.nextInt());
        }
        ByteArray blockBits = new ByteArray(CommVqDeviceLayout.BLOCK * bytes);
        for (int i = 0; i < blockBits.getSize(); i++) {
            blockBits.set(i, (byte) random.nextInt(256));
        }
        int encoded = position % CommVqDeviceLayout.BLOCK == 0 ? position - CommVqDeviceLayout.BLOCK : -1;
        int[][] bit = new int[capacity][CODE_BITS];
        for (int n = 0; n < capacity; n++) {
            for (int j = 0; j < CODE_BITS; j++) {
                bit[n][j] = encoded >= 0 && n >= encoded && n < encoded + CommVqDeviceLayout.BLOCK
                        ? (blockBits.get((n - encoded) * bytes + j / 8) >> (j % 8)) & 1
                        : CommVqDeviceLayout.valueBit(bits, CODE_BITS, n, j);
            }
        }
        FloatArray chunkMax = new FloatArray(chunks * HEADS);
        FloatArray chunkSum = new FloatArray(chunks * HEADS);
        FloatArray chunkAcc = new FloatArray(chunks * HEADS * CODE_BITS);
        IntArray pos = IntArray.fromElements(position);
        TaskGraph graph = new TaskGraph(Kernels.graphName("valueChunks"))
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, scores, bits, blockBits, sigmas, chunkMax,
                        chunkSum, chunkAcc, pos)
                .task("t", CommVqAttention::valueChunks, new KernelContext(), scores, bits, blockBits, sigmas,
                        chunkMax, chunkSum, chunkAcc, pos, HEADS, CODE_BITS, chunk, capacity)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, chunkMax, chunkSum, chunkAcc, bits);
        Kernels.runOnce(graph, Grids.perGroup(CommVqAttention.valueChunkGroups(chunks, HEADS), 256));

        int compressed = CommVqDeviceLayout.compressed(position);
        for (int n = 0; n < compressed; n++) {
            for (int j = 0; j < CODE_BITS; j++) {
                if (CommVqDeviceLayout.valueBit(bits, CODE_BITS, n, j) != bit[n][j]) {
                    throw new AssertionError("cache bit " + j + " of token " + n + " is not the expected one");
                }
            }
        }
        for (int c = 0; c * chunk < compressed; c++) {
            int start = c * chunk;
            int end = Math.min(start + chunk, compressed);
            for (int h = 0; h < HEADS; h++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int n = start; n < end; n++) {
                    max = Math.max(max, scores.get(h * capacity + n));
                }
                double sum = 0;
                double[] acc = new double[CODE_BITS];
                double[] magnitude = new double[CODE_BITS];
                for (int n = start; n < end; n++) {
                    double e = Math.exp(scores.get(h * capacity + n) - max);
                    sum += e;
                    for (int j = 0; j < CODE_BITS; j++) {
                        acc[j] += e * sigmas.get(n) * bit[n][j];
                        magnitude[j] += e * sigmas.get(n);
                    }
                }
                String where = "chunk " + c + ", head " + h;
                Tolerance.assertClose(where + " max", new float[] {(float) max},
                        new float[] {chunkMax.get(c * HEADS + h)}, 0, 0);
                Tolerance.assertClose(where + " sum", new float[] {(float) sum},
                        new float[] {chunkSum.get(c * HEADS + h)}, 1e-5 * sum, 0);
                for (int j = 0; j < CODE_BITS; j++) {
                    float got = chunkAcc.get((c * HEADS + h) * CODE_BITS + j);
                    if (!(Math.abs(got - acc[j]) <= 1e-5 * magnitude[j])) {
                        throw new AssertionError(where + " bit " + j + ": " + got + ", expected " + acc[j]);
                    }
                }
            }
        }
    }
}
