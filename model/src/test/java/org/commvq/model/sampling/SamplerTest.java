package org.commvq.model.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SamplerTest {
    private static float[] logits(int n, long seed) {
        Random r = new Random(seed);
        float[] l = new float[n];
        for (int i = 0; i < n; i++) {
            l[i] = (float) r.nextGaussian() * 3;
        }
        return l;
    }

    @Test
    void greedyIsArgmaxWithLowestIndexOnTies() {
        assertEquals(1, Sampler.argmax(new float[] {0f, 5f, 5f, -1f}));
        float[] l = logits(1000, 1);
        assertEquals(Sampler.argmax(l), new Sampler(SamplingParams.greedy()).sample(l));
    }

    @Test
    void topKOneAndTinyTopPAreGreedy() {
        float[] l = logits(5000, 2);
        assertEquals(Sampler.argmax(l), new Sampler(new SamplingParams(1.5f, 1, 1f, 9)).sample(l));
        assertEquals(Sampler.argmax(l), new Sampler(new SamplingParams(1f, 0, 1e-6f, 9)).sample(l));
    }

    @Test
    void sameSeedSameTokens() {
        float[] l = logits(3000, 3);
        SamplingParams p = new SamplingParams(0.9f, 40, 0.95f, 1234);
        int[] a = new int[50];
        int[] b = new int[50];
        Sampler s1 = new Sampler(p);
        Sampler s2 = new Sampler(p);
        for (int i = 0; i < 50; i++) {
            a[i] = s1.sample(l);
            b[i] = s2.sample(l);
        }
        assertArrayEquals(a, b);
    }

    @Test
    void drawsFollowTheSoftmaxDistribution() {
        float[] l = {0f, (float) Math.log(2), (float) Math.log(3), (float) Math.log(4)};
        int[] counts = new int[4];
        Sampler s = new Sampler(new SamplingParams(1f, 0, 1f, 5));
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            counts[s.sample(l)]++;
        }
        for (int i = 0; i < 4; i++) {
            double expected = (i + 1) / 10.0;
            assertEquals(expected, counts[i] / (double) n, 0.01, "token " + i);
        }
    }

    @Test
    void topKRestrictsToTheMostLikely() {
        float[] l = logits(2000, 4);
        int[] order = java.util.stream.IntStream.range(0, l.length).boxed()
                .sorted((a, b) -> Float.compare(l[b], l[a])).mapToInt(Integer::intValue).toArray();
        java.util.Set<Integer> top = java.util.Set.of(order[0], order[1], order[2]);
        Sampler s = new Sampler(new SamplingParams(5f, 3, 1f, 6));
        for (int i = 0; i < 500; i++) {
            assertTrue(top.contains(s.sample(l)));
        }
    }

    @Test
    void rejectsBadParameters() {
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(-1f, 0, 1f, 0));
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(1f, -1, 1f, 0));
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(1f, 0, 0f, 0));
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(1f, 0, 1.5f, 0));
    }
}
