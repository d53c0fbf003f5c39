package org.commvq.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.commvq.cache.KvCache;
import org.commvq.cache.KvCacheFactory;
import org.commvq.model.forward.LlamaForward;
import org.commvq.model.load.LoadedModel;
import org.commvq.model.load.ModelLoader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The shipped CommVQ codebooks keep the tiny model fluent: the Austen paragraph of golden.json, fed one token at a
 * time as decoding does (so its first 256 tokens are held as codes by the time the last ones are scored), has a
 * perplexity close to the fp16 cache's.
 */
class CompressedCacheFluencyTest {
    private static final Path MODEL = Path.of("..", "models", "tiny-llama-29m-q8_0.gguf");

    @ParameterizedTest(name = "{0} within {1}x of fp16")
    @CsvSource({"commvq2, 1.02", "commvq1, 1.05"})
    void perplexityStaysNearFp16(String type, double maxRatio) {
        JsonNode austen = null;
        for (JsonNode p : SharedFixtures.golden().get("prompts")) {
            if (p.get("name").asText().equals("austen_paragraph")) {
                austen = p;
            }
        }
        int[] ids = SharedFixtures.ints(austen.get("ids"));
        String home = System.getProperty("commvq.home");
        System.setProperty("commvq.home", Path.of("..").toAbsolutePath().normalize().toString());
        try (LoadedModel model = ModelLoader.load(MODEL)) {
            double fp16 = perplexity(model, KvCacheFactory.create("fp16", model.shape(), ids.length, null,
                    model.vocabHash()), ids);
            double compressed = perplexity(model, KvCacheFactory.create(type, model.shape(), ids.length, null,
                    model.vocabHash()), ids);
            System.out.printf("[fluency] %s: perplexity %.3f, fp16 %.3f (ratio %.4f)%n", type, compressed, fp16,
                    compressed / fp16);
            assertTrue(compressed / fp16 <= maxRatio, type + " perplexity " + compressed + " vs fp16 " + fp16);
        } finally {
            if (home == null) {
                System.clearProperty("commvq.home");
            } else {
                System.setProperty("commvq.home", home);
            }
        }
    }

    private static double perplexity(LoadedModel model, KvCache cache, int[] ids) {
        LlamaForward forward = model.forward();
        double nats = 0;
        int scored = 0;
        for (int t = 0; t < ids.length - 1; t++) {
            float[] logits = forward.forward(ids, t, 1, t, cache);
            double max = Double.NEGATIVE_INFINITY;
            for (float l : logits) {
                max = Math.max(max, l);
            }
            double sum = 0;
            for (float l : logits) {
                sum += Math.exp(l - max);
            }
            nats += max + Math.log(sum) - logits[ids[t + 1]];
            scored++;
        }
        return Math.exp(nats / scored);
    }
}
