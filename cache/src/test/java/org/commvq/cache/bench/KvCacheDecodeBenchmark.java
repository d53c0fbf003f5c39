package org.commvq.cache.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.commvq.cache.KvCache;
import org.commvq.cache.ModelShape;
import org.commvq.cache.RopeParameters;
import org.commvq.cache.commvq.CommVqFixtures;
import org.commvq.cache.commvq.CommVqKvCache;
import org.commvq.cache.fp.Fp16KvCache;
import org.commvq.cache.scalar.KiviKvCache;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One attention decode step of one layer (LLaMA-3.1-8B heads: 32 query heads, 8 KV heads, head_dim 128) over a cache
 * already holding {@code tokens} tokens, per cache type. Divide the score by {@code tokens} for ns per cached token.
 *
 * <p>Each invocation appends its token (that is what a decode step does), so the cache grows by the number of
 * invocations: single-shot mode with a fixed, small count keeps that growth under 5 % at 1K. Codebooks are random
 * (attention cost does not depend on their values). Run: {@code ./mvn25 -pl cache -Pjmh verify -Djmh.args=Decode}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 20)
@Measurement(iterations = 30)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx12g"})
public class KvCacheDecodeBenchmark {
    static final ModelShape SHAPE = new ModelShape(1, 4096, 32, 8, 128, 14336, 128256, 131072, 1e-5f,
            RopeParameters.llama3(500000, 8, 1, 4, 8192));

    @Param({"1024", "4096", "16384", "65536"})
    public int tokens;

    @Param({"fp16", "kivi2", "commvq1", "commvq2"})
    public String type;

    private KvCache cache;
    private float[] q;
    private float[] k;
    private float[] v;
    private float[] out;
    private int pos;

    @Setup
    public void fill() {
        cache = create(type, tokens + 1024);
        SplittableRandom random = new SplittableRandom(1);
        int chunk = 4096;
        float[] keys = gaussians(random, chunk * SHAPE.kvDim());
        float[] values = gaussians(random, chunk * SHAPE.kvDim());
        for (pos = 0; pos < tokens; pos += chunk) {
            cache.appendAndAttend(0, pos, Math.min(chunk, tokens - pos), null, keys, values, null);
        }
        pos = tokens;
        q = gaussians(random, SHAPE.queryDim());
        k = gaussians(random, SHAPE.kvDim());
        v = gaussians(random, SHAPE.kvDim());
        out = new float[SHAPE.queryDim()];
    }

    @Benchmark
    public float[] decodeStep() {
        cache.appendAndAttend(0, pos++, 1, q, k, v, out);
        return out;
    }

    static KvCache create(String type, int capacity) {
        return switch (type) {
            case "fp16" -> new Fp16KvCache(SHAPE, capacity);
            case "kivi2" -> new KiviKvCache(SHAPE, capacity, 2);
            case "commvq1" -> new CommVqKvCache(SHAPE, capacity, CommVqFixtures.codebooks(SHAPE, 11, 1, 3));
            case "commvq2" -> new CommVqKvCache(SHAPE, capacity, CommVqFixtures.codebooks(SHAPE, 21, 2, 3));
            default -> throw new IllegalArgumentException(type);
        };
    }

    static float[] gaussians(SplittableRandom random, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            double u = random.nextDouble(1e-12, 1);
            a[i] = (float) (Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble()));
        }
        return a;
    }
}
