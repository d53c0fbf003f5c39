package org.commvq.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.commvq.cache.fp.Fp32KvCache;
import org.commvq.model.forward.LlamaForward;
import org.commvq.model.generate.GenerationResult;
import org.commvq.model.generate.Generator;
import org.commvq.model.load.LoadedModel;
import org.commvq.model.load.ModelLoader;
import org.commvq.model.sampling.Sampler;
import org.commvq.model.sampling.SamplingParams;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CPU engine against Hugging Face transformers in float32 (golden.json), for the F16 GGUF, the safetensors
 * directory (a different file format and RoPE weight layout), and the Q8_0 GGUF (looser bounds: its weights differ).
 */
class GoldenLogitsTest {

    static Stream<Arguments> exactForms() {
        return Stream.of(Arguments.of("tiny-llama-29m-f16.gguf"), Arguments.of("."));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("exactForms")
    void logitsTopFiveAndGreedyMatchTheReference(String form) {
        try (LoadedModel model = ModelLoader.load(SharedFixtures.tinyModel(form))) {
            for (JsonNode prompt : SharedFixtures.golden().get("prompts")) {
                String name = prompt.get("name").asText();
                int[] ids = SharedFixtures.ints(prompt.get("ids"));
                assertArrayEquals(ids, model.tokenizer().encode(prompt.get("text").asText(), true), name + " ids");
                float[] logits = allLogits(model, ids);
                int vocab = model.shape().vocab();
                int last = ids.length - 1;
                float[] expectedLast = SharedFixtures.floats(prompt.get("last_logits"));
                float maxDiff = 0;
                for (int v = 0; v < vocab; v++) {
                    maxDiff = Math.max(maxDiff, Math.abs(logits[last * vocab + v] - expectedLast[v]));
                }
                assertTrue(maxDiff <= 1e-3, name + ": last-position logits differ by " + maxDiff);
                for (int t = 0; t < ids.length; t++) {
                    checkTopFive(name + " position " + t, logits, t * vocab, vocab,
                            SharedFixtures.ints(prompt.get("top5_ids").get(t)),
                            SharedFixtures.floats(prompt.get("top5_logits").get(t)));
                }
                int[] greedy = SharedFixtures.ints(prompt.get("greedy_ids"));
                GenerationResult r = new Generator(model.forward(), new Fp32KvCache(model.shape(),
                        ids.length + greedy.length)).generate(ids, greedy.length,
                        new Sampler(SamplingParams.greedy()), id -> false, id -> { });
                assertArrayEquals(greedy, r.generated(), name + ": greedy continuation (smallest reference margin "
                        + prompt.get("greedy_min_margin").asDouble() + ")");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("quantizedForms")
    void q8LogitsStayCloseAndTopOneMostlyAgrees(String form) {
        try (LoadedModel model = ModelLoader.load(SharedFixtures.tinyModel(form))) {
            for (JsonNode prompt : SharedFixtures.golden().get("prompts")) {
                String name = prompt.get("name").asText();
                int[] ids = SharedFixtures.ints(prompt.get("ids"));
                float[] logits = allLogits(model, ids);
                int vocab = model.shape().vocab();
                int last = ids.length - 1;
                float[] expectedLast = SharedFixtures.floats(prompt.get("last_logits"));
                float maxDiff = 0;
                for (int v = 0; v < vocab; v++) {
                    maxDiff = Math.max(maxDiff, Math.abs(logits[last * vocab + v] - expectedLast[v]));
                }
                assertTrue(maxDiff <= 0.1, name + ": Q8_0 last-position logits differ by " + maxDiff);
                int agree = 0;
                for (int t = 0; t < ids.length; t++) {
                    if (argmax(logits, t * vocab, vocab) == prompt.get("top5_ids").get(t).get(0).asInt()) {
                        agree++;
                    }
                }
                double rate = agree / (double) ids.length;
                System.out.printf("[q8_0] %s: top-1 agreement %.1f %% over %d positions, last logits max |diff| %.4f%n",
                        name, 100 * rate, ids.length, maxDiff);
                assertTrue(rate >= 0.93, name + ": Q8_0 top-1 agreement " + rate + " < 0.93");
            }
        }
    }

    static Stream<Arguments> quantizedForms() {
        return Stream.of(Arguments.of("tiny-llama-29m-q8_0.gguf"));
    }

    private static float[] allLogits(LoadedModel model, int[] ids) {
        LlamaForward forward = model.forward();
        return forward.forwardAll(ids, 0, ids.length, 0, new Fp32KvCache(model.shape(), ids.length));
    }

    /**
     * Our logits at the reference's top-5 ids equal the reference logits, and the ranking agrees wherever the
     * reference's neighbouring logits are further apart than our error (near ties may swap).
     */
    private static void checkTopFive(String where, float[] logits, int off, int vocab, int[] ids, float[] values) {
        for (int j = 0; j < 5; j++) {
            assertEquals(values[j], logits[off + ids[j]], 1e-3, where + " logit of id " + ids[j]);
        }
        int[] ours = topFive(logits, off, vocab);
        for (int j = 0; j < 5; j++) {
            boolean tieAbove = j > 0 && values[j - 1] - values[j] < 2e-3;
            boolean tieBelow = j < 4 ? values[j] - values[j + 1] < 2e-3 : values[4] - logits[off + ours[4]] < 2e-3;
            if (!tieAbove && !tieBelow) {
                assertEquals(ids[j], ours[j], where + " rank " + j);
            }
        }
    }

    private static int[] topFive(float[] logits, int off, int vocab) {
        int[] top = new int[5];
        boolean[] taken = new boolean[vocab];
        for (int j = 0; j < 5; j++) {
            int best = -1;
            for (int v = 0; v < vocab; v++) {
                if (!taken[v] && (best < 0 || logits[off + v] > logits[off + best])) {
                    best = v;
                }
            }
            taken[best] = true;
            top[j] = best;
        }
        return top;
    }

    private static int argmax(float[] logits, int off, int vocab) {
        int best = 0;
        for (int v = 1; v < vocab; v++) {
            if (logits[off + v] > logits[off + best]) {
                best = v;
            }
        }
        return best;
    }
}
