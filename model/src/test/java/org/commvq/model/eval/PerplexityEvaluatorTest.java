package org.commvq.model.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PerplexityEvaluatorTest {
    private static final int BOS = 0;

    /** Ids 2, 3, 4, …: each token's successor is the next id, and no id repeats. */
    private static int[] rising(int n) {
        return IntStream.range(0, n).map(i -> i + 2).toArray();
    }

    @Test
    void uniformLogitsGiveTheVocabularySize() {
        PerplexityResult r = new PerplexityEvaluator(16, 8, 1).run(rising(100), BOS, FakeLogits.uniform(128),
                t -> 1, n -> { });
        assertEquals(100, r.tokens());
        assertEquals(128, r.perplexity(), 1e-9);
        assertEquals(100 * Math.log(128), r.nats(), 1e-9);
        assertEquals(7, r.bitsPerByte(), 1e-12);
    }

    @Test
    void bitsPerByteCountTheTokensBytes() {
        PerplexityResult r = new PerplexityEvaluator(32, 31, 4).run(rising(50), BOS, FakeLogits.uniform(256),
                t -> 2, n -> { });
        assertEquals(100, r.bytes());
        assertEquals(4, r.bitsPerByte(), 1e-12);
    }

    @Test
    void aCertainCorrectModelHasPerplexityOne() {
        // Only the first token of the text follows BOS, where the fake knows nothing; every other prediction is
        // made right after its predecessor was fed, or the loss would be about 100 nats.
        int vocab = 512;
        for (int chunk : new int[] {1, 3, 64}) {
            PerplexityResult r = new PerplexityEvaluator(20, 7, chunk).run(rising(300), BOS,
                    FakeLogits.successor(vocab), t -> 1, n -> { });
            assertEquals(300, r.tokens());
            assertEquals(Math.log(vocab), r.nats(), 1e-6, "chunk " + chunk);
            assertTrue(r.perplexity() < 1.03, "ppl " + r.perplexity());
        }
    }

    @Test
    void everyTokenIsScoredOnceAndProgressAddsUp() {
        int[] text = rising(1000);
        for (int[] setting : new int[][] {{64, 63, 1}, {64, 16, 1}, {64, 1, 5}, {2, 1, 1}, {512, 100, 7}}) {
            int[] seen = new int[text.length + 2];
            int[] progress = {0};
            PerplexityResult r = new PerplexityEvaluator(setting[0], setting[1], setting[2]).run(text, BOS,
                    FakeLogits.uniform(1024), t -> {
                        seen[t]++;
                        return 1;
                    }, n -> progress[0] += n);
            for (int id : text) {
                assertEquals(1, seen[id], "token " + id + " at ctx/stride/chunk " + List.of(setting[0], setting[1],
                        setting[2]));
            }
            assertEquals(text.length, r.tokens());
            assertEquals(text.length, progress[0]);
        }
    }

    @Test
    void windowsStartWithBosAndPrefillTheirOverlapInOneCall() {
        FakeLogits model = FakeLogits.uniform(64);
        int[] text = rising(40);
        PerplexityEvaluator eval = new PerplexityEvaluator(11, 4, 1);
        eval.run(text, BOS, model, t -> 1, n -> { });
        List<StridedWindows.Window> windows = eval.windows(text.length);
        assertEquals(windows.size(), model.fedPerReset.size());
        int call = 0;
        for (int w = 0; w < windows.size(); w++) {
            StridedWindows.Window win = windows.get(w);
            // BOS, then the window but its last token, which is only ever a target.
            List<Integer> expected = new ArrayList<>(List.of(BOS));
            IntStream.range(win.begin(), win.end() - 1).forEach(i -> expected.add(text[i]));
            assertEquals(expected, model.fedPerReset.get(w), "window " + w);
            int prefill = 1 + win.scoreFrom() - win.begin();
            assertEquals(prefill, model.callSizes.get(call), "prefill of window " + w);
            for (int c = call + 1; c < call + 1 + expected.size() - prefill; c++) {
                assertEquals(1, model.callSizes.get(c), "decode-style call " + c);
            }
            call += 1 + expected.size() - prefill;
        }
        assertEquals(call, model.callSizes.size());
    }

    @Test
    void rejectsStridesThatWouldSkipTokens() {
        assertThrows(IllegalArgumentException.class, () -> new PerplexityEvaluator(16, 16, 1));
        assertThrows(IllegalArgumentException.class, () -> new PerplexityEvaluator(16, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new PerplexityEvaluator(1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new PerplexityEvaluator(16, 8, 0));
    }

    @Test
    void negativeLogLikelihoodIsStableForLargeLogits() {
        float[] logits = {1000f, 1000f, 0f, 0f};
        assertEquals(Math.log(2), PerplexityEvaluator.negativeLogLikelihood(logits, 0, 4, 0), 1e-9);
    }
}
