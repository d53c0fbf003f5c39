package org.commvq.cache;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A fixed team of threads for data-parallel loops: the calling thread and {@code size - 1} helpers take chunks of
 * the index range from one shared counter. Decode runs over a hundred short parallel loops per token, so the cost
 * that matters is starting one; helpers therefore spin a short while for the next loop before they park, and the
 * caller works instead of waiting. (A ForkJoinPool woke parked workers for every loop and left the caller idle:
 * matrix-vector products on 2 cores pulled 12 GB/s through it against 19 GB/s with no synchronisation at all.)
 */
final class WorkerTeam {
    /** Chunks per thread: enough for a slow or descheduled thread not to hold up the others. */
    private static final int CHUNKS_PER_THREAD = 8;
    /** How long an idle helper watches for the next loop before it parks; 0 when threads outnumber cores. */
    private static final long SPIN_NANOS = 200_000;
    private static final int WAIT_SPINS_BEFORE_YIELD = 1_000;

    private final int size;
    private final long spinNanos;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final Helper[] helpers;
    private volatile Loop loop;
    private volatile long generation;
    private volatile boolean shutdown;
    private boolean started;

    WorkerTeam(int size) {
        this.size = size;
        this.spinNanos = size > Runtime.getRuntime().availableProcessors() ? 0 : SPIN_NANOS;
        this.helpers = new Helper[size - 1];
    }

    int size() {
        return size;
    }

    /**
     * Runs body(i) for i in [0, n) in chunks of at least grain indices. A loop started from inside another one, or
     * while another thread's loop holds the team, runs on the calling thread alone.
     */
    void run(int n, int grain, IntConsumer body) {
        if (size == 1 || n <= grain || !busy.compareAndSet(false, true)) {
            for (int i = 0; i < n; i++) {
                body.accept(i);
            }
            return;
        }
        try {
            startHelpers();
            int chunks = Math.min(size * CHUNKS_PER_THREAD, (n + grain - 1) / grain);
            Loop current = new Loop(n, Math.max(grain, (n + chunks - 1) / chunks), body);
            loop = current;
            generation++;
            for (Helper h : helpers) {
                if (h.parked) {
                    LockSupport.unpark(h.thread);
                }
            }
            current.work();
            current.awaitAll();
            loop = null;
            current.rethrow();
        } finally {
            busy.set(false);
        }
    }

    void shutdown() {
        shutdown = true;
        synchronized (this) {
            for (Helper h : helpers) {
                if (h != null) {
                    LockSupport.unpark(h.thread);
                }
            }
        }
    }

    private synchronized void startHelpers() {
        if (started) {
            return;
        }
        for (int i = 0; i < helpers.length; i++) {
            helpers[i] = new Helper();
            Thread t = new Thread(helpers[i]::loop, "commvq-worker-" + (i + 1));
            t.setDaemon(true);
            helpers[i].thread = t;
        }
        for (Helper h : helpers) {
            h.thread.start();
        }
        started = true;
    }

    private final class Helper {
        Thread thread;
        volatile boolean parked;

        void loop() {
            long seen = 0;
            while (!shutdown) {
                long g = generation;
                if (g == seen) {
                    awaitNext(seen);
                    continue;
                }
                seen = g;
                Loop current = loop;
                if (current != null) {
                    current.work();
                }
            }
        }

        private void awaitNext(long seen) {
            long deadline = System.nanoTime() + spinNanos;
            while (generation == seen && !shutdown && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            if (generation != seen || shutdown) {
                return;
            }
            // Volatile write, then re-read: either this helper sees the new generation, or the caller, which bumps
            // the generation before reading this flag, sees the flag and unparks it.
            parked = true;
            if (generation == seen && !shutdown) {
                LockSupport.park(this);
            }
            parked = false;
        }
    }

    /** One parallel loop: chunks handed out by a counter, completion counted, the first failure kept. */
    private static final class Loop {
        private final int n;
        private final int chunk;
        private final int chunks;
        private final IntConsumer body;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger done = new AtomicInteger();
        private volatile Throwable failure;

        Loop(int n, int chunk, IntConsumer body) {
            this.n = n;
            this.chunk = chunk;
            this.chunks = (n + chunk - 1) / chunk;
            this.body = body;
        }

        void work() {
            for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                if (failure == null) {
                    try {
                        int to = Math.min(n, (c + 1) * chunk);
                        for (int i = c * chunk; i < to; i++) {
                            body.accept(i);
                        }
                    } catch (Throwable t) {
                        synchronized (this) {
                            if (failure == null) {
                                failure = t;
                            }
                        }
                    }
                }
                done.incrementAndGet();
            }
        }

        /** Chunks still running belong to helpers that are awake, so this wait is at most one chunk long. */
        void awaitAll() {
            int spins = 0;
            while (done.get() < chunks) {
                if (++spins < WAIT_SPINS_BEFORE_YIELD) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
        }

        void rethrow() {
            Throwable t = failure;
            if (t instanceof RuntimeException e) {
                throw e;
            }
            if (t instanceof Error e) {
                throw e;
            }
            if (t != null) {
                throw new IllegalStateException(t);
            }
        }
    }
}
