package org.commvq.cache.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.commvq.cache.KvCache;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encode throughput: storing a 128-token block of one layer (LLaMA-3.1-8B KV width) without attention, which is the
 * compression work a cache does per block. Scores are per token.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx12g"})
public class KvCacheEncodeBenchmark {
    private static final int BLOCK = 128;
    private static final int CAPACITY = 1 << 16;

    @Param({"fp16", "kivi2", "commvq1", "commvq2"})
    public String type;

    private KvCache cache;
    private float[] keys;
    private float[] values;
    private int pos;

    @Setup
    public void prepare() {
        cache = KvCacheDecodeBenchmark.create(type, CAPACITY);
        SplittableRandom random = new SplittableRandom(2);
        keys = KvCacheDecodeBenchmark.gaussians(random, BLOCK * KvCacheDecodeBenchmark.SHAPE.kvDim());
        values = KvCacheDecodeBenchmark.gaussians(random, BLOCK * KvCacheDecodeBenchmark.SHAPE.kvDim());
    }

    @Setup(Level.Iteration)
    public void empty() {
        cache.clear();
        pos = 0;
    }

    @Benchmark
    @OperationsPerInvocation(BLOCK)
    public KvCache encodeBlock() {
        if (pos + BLOCK > CAPACITY) {
            cache.clear();
            pos = 0;
        }
        cache.appendAndAttend(0, pos, BLOCK, null, keys, values, null);
        pos += BLOCK;
        return cache;
    }
}
