package org.commvq.cache;

import java.util.function.IntConsumer;

/**
 * The threads every CPU kernel shares. Their number is set once from --threads (default: all cores), so a run's
 * parallelism is explicit and results do not depend on it (work is split by index, never by thread).
 */
public final class Workers {
    /** The largest --threads accepted: far above any core count, and low enough to refuse typos early. */
    private static final int MAX_THREADS = 0x7fff;
    private static volatile WorkerTeam team = new WorkerTeam(Runtime.getRuntime().availableProcessors());

    private Workers() {
    }

    public static synchronized void setThreads(int threads) {
        if (threads < 1 || threads > MAX_THREADS) {
            throw new IllegalArgumentException("--threads must be between 1 and " + MAX_THREADS + ", got " + threads);
        }
        if (team.size() != threads) {
            WorkerTeam old = team;
            team = new WorkerTeam(threads);
            old.shutdown();
        }
    }

    public static int threads() {
        return team.size();
    }

    /** Runs body(i) for i in [0, n), in chunks of at least {@code grain} indices. */
    public static void parallelFor(int n, int grain, IntConsumer body) {
        if (n > 0) {
            team.run(n, grain, body);
        }
    }

    public static void parallelFor(int n, IntConsumer body) {
        parallelFor(n, 1, body);
    }
}
