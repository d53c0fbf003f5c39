package org.commvq.cache;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * The thread pool every CPU kernel shares. Its size is set once from --threads (default: all cores), so a run's
 * parallelism is explicit and results do not depend on the pool's size (work is split by index, never by thread).
 */
public final class Workers {
    /** ForkJoinPool's cap on parallelism; above it the pool's constructor throws without a message. */
    private static final int MAX_THREADS = 0x7fff;
    private static volatile ForkJoinPool pool = new ForkJoinPool(Runtime.getRuntime().availableProcessors());

    private Workers() {
    }

    public static synchronized void setThreads(int threads) {
        if (threads < 1 || threads > MAX_THREADS) {
            throw new IllegalArgumentException("--threads must be between 1 and " + MAX_THREADS + ", got " + threads);
        }
        if (pool.getParallelism() != threads) {
            ForkJoinPool old = pool;
            pool = new ForkJoinPool(threads);
            old.shutdown();
        }
    }

    public static int threads() {
        return pool.getParallelism();
    }

    /** Runs body(i) for i in [0, n), in chunks of at least {@code grain} indices. */
    public static void parallelFor(int n, int grain, IntConsumer body) {
        if (n <= 0) {
            return;
        }
        ForkJoinPool p = pool;
        if (p.getParallelism() == 1 || n <= grain) {
            for (int i = 0; i < n; i++) {
                body.accept(i);
            }
            return;
        }
        int chunks = Math.min(p.getParallelism() * 4, (n + grain - 1) / grain);
        p.invoke(new Range(0, n, Math.max(grain, (n + chunks - 1) / chunks), body));
    }

    public static void parallelFor(int n, IntConsumer body) {
        parallelFor(n, 1, body);
    }

    private static final class Range extends RecursiveAction {
        private final int from;
        private final int to;
        private final int grain;
        private final IntConsumer body;

        Range(int from, int to, int grain, IntConsumer body) {
            this.from = from;
            this.to = to;
            this.grain = grain;
            this.body = body;
        }

        @Override
        protected void compute() {
            if (to - from <= grain) {
                for (int i = from; i < to; i++) {
                    body.accept(i);
                }
                return;
            }
            int mid = (from + to) >>> 1;
            invokeAll(new Range(from, mid, grain, body), new Range(mid, to, grain, body));
        }
    }
}
