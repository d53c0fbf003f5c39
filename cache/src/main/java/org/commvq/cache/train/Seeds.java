package org.commvq.cache.train;

import java.util.SplittableRandom;

/**
 * Random streams derived from the run's seed and the position of the job (layer, head, stage, …), so a job draws
 * the same numbers whether it runs first, after a resume, or beside others on any number of threads.
 */
final class Seeds {
    private Seeds() {
    }

    static SplittableRandom random(long seed, String purpose, int... indices) {
        long h = mix(seed ^ 0x9E3779B97F4A7C15L);
        for (int i = 0; i < purpose.length(); i++) {
            h = mix(h ^ purpose.charAt(i));
        }
        for (int i : indices) {
            h = mix(h ^ (i + 0x632BE59BD9B4E019L));
        }
        return new SplittableRandom(h);
    }

    /** order = a uniformly random permutation of 0..n−1 (Fisher–Yates). */
    static void permutation(int[] order, SplittableRandom rnd) {
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        for (int i = order.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
    }

    /** SplitMix64's finalizer: every input bit reaches every output bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
