package org.commvq.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WorkersTest {
    @AfterEach
    void restore() {
        Workers.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void everyIndexRunsExactlyOnceForAnySizeAndGrain() {
        for (int threads : new int[] {1, 2, 3, 5}) {
            Workers.setThreads(threads);
            for (int n : new int[] {1, 2, 7, 16, 17, 1000, 4099}) {
                for (int grain : new int[] {1, 4, 16, 5000}) {
                    AtomicIntegerArray hits = new AtomicIntegerArray(n);
                    for (int repeat = 0; repeat < 20; repeat++) {
                        Workers.parallelFor(n, grain, hits::incrementAndGet);
                    }
                    for (int i = 0; i < n; i++) {
                        assertEquals(20, hits.get(i), "threads " + threads + ", n " + n + ", grain " + grain);
                    }
                }
            }
        }
    }

    @Test
    void writesOfEveryThreadAreVisibleToTheCaller() {
        Workers.setThreads(3);
        for (int repeat = 0; repeat < 200; repeat++) {
            int[] out = new int[3001];
            int seed = repeat;
            Workers.parallelFor(out.length, 7, i -> out[i] = i * 31 + seed);
            for (int i = 0; i < out.length; i++) {
                assertEquals(i * 31 + seed, out[i]);
            }
        }
    }

    @Test
    void theFirstFailureReachesTheCallerAndTheTeamStaysUsable() {
        Workers.setThreads(3);
        IllegalStateException thrown = new IllegalStateException("row 500");
        IllegalStateException seen = assertThrows(IllegalStateException.class,
                () -> Workers.parallelFor(1000, 1, i -> {
                    if (i == 500) {
                        throw thrown;
                    }
                }));
        assertSame(thrown, seen);
        assertThrows(OutOfMemoryError.class, () -> Workers.parallelFor(100, 1, i -> {
            throw new OutOfMemoryError("test");
        }));
        int[] out = new int[100];
        Workers.parallelFor(100, 1, i -> out[i] = i);
        assertEquals(99, out[99]);
    }

    @Test
    void aLoopInsideALoopRunsOnItsCallersThread() {
        Workers.setThreads(2);
        int[][] out = new int[50][40];
        Workers.parallelFor(50, 1, i -> Workers.parallelFor(40, 1, j -> out[i][j] = i * 40 + j));
        for (int i = 0; i < 50; i++) {
            for (int j = 0; j < 40; j++) {
                assertEquals(i * 40 + j, out[i][j]);
            }
        }
    }

    @Test
    void loopsFromSeveralThreadsAtOnceAllComplete() throws InterruptedException {
        Workers.setThreads(2);
        int callers = 4;
        long[][] sums = new long[callers][1];
        CountDownLatch start = new CountDownLatch(1);
        Thread[] threads = new Thread[callers];
        for (int c = 0; c < callers; c++) {
            int caller = c;
            threads[c] = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int repeat = 0; repeat < 300; repeat++) {
                    long[] parts = new long[500];
                    Workers.parallelFor(500, 3, i -> parts[i] = i);
                    for (long p : parts) {
                        sums[caller][0] += p;
                    }
                }
            });
            threads[c].start();
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        for (long[] sum : sums) {
            assertArrayEquals(new long[] {300L * 499 * 500 / 2}, sum);
        }
    }

    @Test
    void threadCountIsCheckedAndKept() {
        assertThrows(IllegalArgumentException.class, () -> Workers.setThreads(0));
        assertThrows(IllegalArgumentException.class, () -> Workers.setThreads(0x8000));
        Workers.setThreads(3);
        assertEquals(3, Workers.threads());
    }
}
