package org.commvq.cache.commvq;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;
import org.commvq.cache.ModelShape;
import org.commvq.cache.Workers;

/**
 * Times one decode step of one layer (LLaMA-3.1-8B shapes: 32 query heads, 8 KV heads, head_dim 128) at several
 * cached lengths for commvq1 and commvq2 (fused and code-domain paths) and for a vectorized fp16 baseline, and the
 * encode throughput of a 128-token block. Cached tokens are random codes written straight into the store, so a
 * 64K context costs no encoding. Before every timed step a 512 MiB buffer is read, so the step finds its tokens and
 * codebooks in memory, not cache, as it would after the other 31 layers of a real model ("cold"); "warm" repeats
 * the step without it. Run: java --add-modules jdk.incubator.vector -cp ... CommVqAttentionBench [lengths].
 */
public final class CommVqAttentionBench {
    private static final ModelShape SHAPE = CommVqFixtures.shape(1, 32, 8, 128);
    private static final int WARMUP = 30;
    private static final int STEPS = 15;
    private static final long[] FLUSH = new long[64 << 20];
    private static volatile long sink;

    private CommVqAttentionBench() {
    }

    public static void main(String[] args) {
        int[] lengths = args.length == 0 ? new int[] {1024, 4096, 16384, 65536}
                : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        System.out.printf("threads %d, vector lanes %d%n", Workers.threads(), CommVqVectors.LANES);
        System.out.printf("%-8s %-14s %8s %11s %11s %14s %14s%n", "cache", "path", "tokens", "cold ms", "warm ms",
                "cold ns/token", "warm ns/token");
        for (int bits = 1; bits <= 2; bits++) {
            int stages = bits == 1 ? 11 : 21;
            CommVqCodebooks codebooks = CommVqFixtures.codebooks(SHAPE, stages, bits, 7);
            for (int n : lengths) {
                for (CommVqAttentionPath path : List.of(CommVqAttentionPath.FUSED_DECODE,
                        CommVqAttentionPath.CODE_DOMAIN)) {
                    double[] ms = commVqStep(codebooks, path, n);
                    print("commvq" + bits, path.toString(), n, ms);
                }
            }
            encodeThroughput(codebooks);
        }
        for (int n : lengths) {
            print("fp16", "vectorized", n, fp16Step(n));
        }
    }

    private static void print(String cache, String path, int tokens, double[] ms) {
        System.out.printf("%-8s %-14s %8d %11.3f %11.3f %14.1f %14.1f%n", cache, path, tokens, ms[0], ms[1],
                ms[0] * 1e6 / tokens, ms[1] * 1e6 / tokens);
    }

    /** Evicts the caches: reads a buffer larger than the last-level cache, on every core. */
    private static void flush() {
        int chunk = 1 << 20;
        long[] sums = new long[FLUSH.length / chunk];
        Workers.parallelFor(sums.length, 1, c -> {
            long s = 0;
            for (int i = c * chunk; i < (c + 1) * chunk; i += 8) {
                s += FLUSH[i];
            }
            sums[c] = s;
        });
        sink += sums[0];
    }

    /** {cold, warm} median milliseconds of a timed step; the step runs twice per iteration, cold then warm. */
    private static double[] time(IntConsumer step) {
        long[] cold = new long[STEPS];
        long[] warm = new long[STEPS];
        for (int i = 0; i < WARMUP + STEPS; i++) {
            if (i >= WARMUP) {
                flush();
            }
            long start = System.nanoTime();
            step.accept(2 * i);
            long middle = System.nanoTime();
            step.accept(2 * i + 1);
            long end = System.nanoTime();
            if (i >= WARMUP) {
                cold[i - WARMUP] = middle - start;
                warm[i - WARMUP] = end - middle;
            }
        }
        return new double[] {median(cold) / 1e6, median(warm) / 1e6};
    }

    private static double[] commVqStep(CommVqCodebooks codebooks, CommVqAttentionPath path, int tokens) {
        CommVqKvCache cache = new CommVqKvCache(SHAPE, tokens + 2 * (WARMUP + STEPS), codebooks, path);
        CommVqFixtures.appendRandomBlocks(cache.store(0), SHAPE.kvHeads(), codebooks.stages(),
                codebooks.values().get(0).packedBytes(), tokens / 128, 11);
        SplittableRandom random = new SplittableRandom(12);
        float[] out = new float[SHAPE.queryDim()];
        float[] q = CommVqFixtures.gaussians(random, SHAPE.queryDim(), 1.0);
        float[] k = CommVqFixtures.gaussians(random, SHAPE.kvDim(), 2.0);
        float[] v = CommVqFixtures.gaussians(random, SHAPE.kvDim(), 1.0);
        return time(step -> cache.appendAndAttend(0, tokens + step, 1, q, k, v, out));
    }

    private static void encodeThroughput(CommVqCodebooks codebooks) {
        int width = SHAPE.kvDim();
        SplittableRandom random = new SplittableRandom(13);
        float[] k = CommVqFixtures.gaussians(random, 128 * width, 2.0);
        float[] v = CommVqFixtures.gaussians(random, 128 * width, 1.0);
        CommVqKeyEncoder keys = new CommVqKeyEncoder(codebooks.keys());
        CommVqValueCodec values = codebooks.values().get(0);
        float[] norms = new float[128];
        int[] codes = new int[128 * SHAPE.kvHeads() * codebooks.stages()];
        byte[] packed = new byte[128 * values.packedBytes()];
        float[] sigmas = new float[128];
        long[] keyTimes = new long[5];
        long[] valueTimes = new long[5];
        for (int rep = 0; rep < 2 + keyTimes.length; rep++) {
            long t0 = System.nanoTime();
            keys.encode(0, k, 0, 128, norms, 0, codes, 0);
            long t1 = System.nanoTime();
            values.encode(v, 0, 128, packed, 0, sigmas, 0, null);
            long t2 = System.nanoTime();
            if (rep >= 2) {
                keyTimes[rep - 2] = t1 - t0;
                valueTimes[rep - 2] = t2 - t1;
            }
        }
        System.out.printf("commvq%d  encode keys %.1f us/token, values %.1f us/token (one layer, 128-token block)%n",
                codebooks.bits(), median(keyTimes) / 1e3 / 128, median(valueTimes) / 1e3 / 128);
    }

    /**
     * Post-RoPE fp16 keys and fp16 values: dot, softmax, weighted sum. Split like the CommVQ kernels, over (KV head,
     * 1024-token chunk), so both use every core; each key and value row is converted once for its query group.
     */
    private static double[] fp16Step(int tokens) {
        int width = SHAPE.kvDim();
        int headDim = SHAPE.headDim();
        int group = SHAPE.groupSize();
        int heads = SHAPE.heads();
        int chunk = 1024;
        int chunks = (tokens + chunk - 1) / chunk;
        SplittableRandom random = new SplittableRandom(14);
        short[] keys = new short[tokens * width];
        short[] values = new short[tokens * width];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = Float.floatToFloat16((float) CommVqFixtures.gaussian(random));
            values[i] = Float.floatToFloat16((float) CommVqFixtures.gaussian(random));
        }
        float scale = (float) (1 / Math.sqrt(headDim));
        float[] logits = new float[heads * tokens];
        float[] partial = new float[SHAPE.kvHeads() * chunks * group * headDim];
        float[] out = new float[SHAPE.queryDim()];
        float[] q = CommVqFixtures.gaussians(random, SHAPE.queryDim(), 1.0);
        return time(step -> {
            Workers.parallelFor(SHAPE.kvHeads() * chunks, 1, task -> {
                int g = task / chunks;
                float[] row = new float[headDim];
                for (int t = (task % chunks) * chunk; t < Math.min(tokens, (task % chunks + 1) * chunk); t++) {
                    toFloat(keys, t * width + g * headDim, row, headDim);
                    for (int j = 0; j < group; j++) {
                        int h = g * group + j;
                        logits[h * tokens + t] = scale * CommVqVectors.dot(q, h * headDim, row, 0, headDim);
                    }
                }
            });
            Workers.parallelFor(heads, 1, h -> CommVqVectors.softmax(logits, h * tokens, tokens));
            Workers.parallelFor(SHAPE.kvHeads() * chunks, 1, task -> {
                int g = task / chunks;
                float[] row = new float[headDim];
                int dst = task * group * headDim;
                Arrays.fill(partial, dst, dst + group * headDim, 0f);
                for (int t = (task % chunks) * chunk; t < Math.min(tokens, (task % chunks + 1) * chunk); t++) {
                    toFloat(values, t * width + g * headDim, row, headDim);
                    for (int j = 0; j < group; j++) {
                        CommVqVectors.axpy(logits[(g * group + j) * tokens + t], row, 0, partial,
                                dst + j * headDim, headDim);
                    }
                }
            });
            Workers.parallelFor(heads, 1, h -> {
                int g = h / group;
                Arrays.fill(out, h * headDim, (h + 1) * headDim, 0f);
                for (int c = 0; c < chunks; c++) {
                    CommVqVectors.add(partial, ((g * chunks + c) * group + h % group) * headDim, out,
                            h * headDim, headDim);
                }
            });
        });
    }

    private static void toFloat(short[] src, int off, float[] dst, int n) {
        for (int i = 0; i < n; i++) {
            dst[i] = Float.float16ToFloat(src[off + i]);
        }
    }

    private static double median(long[] times) {
        long[] sorted = times.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
