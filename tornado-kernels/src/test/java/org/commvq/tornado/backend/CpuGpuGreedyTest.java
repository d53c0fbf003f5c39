package org.commvq.tornado.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.commvq.model.backend.BackendComparison;
import org.commvq.model.backend.ComparisonResult;
import org.commvq.model.backend.CpuBackend;
import org.commvq.model.backend.InferenceSession;
import org.commvq.model.backend.SessionConfig;
import org.commvq.model.load.LoadedModel;
import org.commvq.model.load.ModelLoader;
import org.commvq.tornado.testing.DeviceMemory;
import org.commvq.tornado.testing.RequiresFp16;
import org.commvq.tornado.testing.RequiresTornado;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The whole model through the backend SPI: the tiny model's greedy continuation on the CPU and on the TornadoVM
 * device, fp32 caches on both. Both sides are fed the CPU's greedy token at every step, so agreement at every step
 * means the device's own greedy generation is the CPU's, token for token.
 * With fp32 caches the logits may differ by float summation order only (the Q8_0 quants go to the device unchanged,
 * and F32 holds them exactly): at most 1e-3 + 1e-4·max|logit| per step. With fp16 caches the CPU attends each new
 * token unrounded and the device its half-precision copy, so the bound is 5e-2 + 5e-3·max|logit|.
 */
@RequiresTornado
class CpuGpuGreedyTest {
    private static final String PROMPT = "It is a truth universally acknowledged";
    private static final int STEPS = 8;

    @ParameterizedTest(name = "{0} weights on the device, {1} layer(s) per graph")
    @CsvSource({"q8_0, 8", "f32, 1", "q8_0, 3"})
    void greedyTokensMatchTheCpu(String weights, String layersPerGraph) {
        compare("fp32", weights, layersPerGraph, 1e-3, 1e-4);
    }

    /**
     * The same after an unrelated plan ran in the JVM and freed its memory. Its graph's TornadoVM bytecode then
     * outgrew TornadoVM's default 4096-byte buffer, which TornadoVM reported only as "Recover option disabled"; the
     * test JVM and the launcher raise tornado.tvm.maxbytecodesize.
     */
    @Test
    void greedyTokensMatchTheCpuAfterAnotherPlan() {
        DeviceMemory.poison(1 << 20);
        compare("fp32", "q8_0", "3", 1e-3, 1e-4);
    }

    @Test
    @RequiresFp16
    void greedyTokensMatchTheCpuWithHalfCaches() {
        compare("fp16", "q8_0", "4", 5e-2, 5e-3);
    }

    /**
     * CommVQ 2-bit with the shipped codebooks: a 124-token prompt (exact attention on the CPU, token by token below
     * the first block on the device, so the same), then steps over position 128, where both compress the first block.
     * The CPU rounds keys and values to fp16 before it encodes them and keeps norms and scales in fp16; the device,
     * which cannot assume half floats, encodes the float32 values and keeps fp32. Some tokens then get other codes,
     * each a nearly as good approximation, so the bound is 1.5e-1 + 1e-2·max|logit| (0.155 measured on PoCL, against
     * 2.2e-3 for the fp16 cache); CommVqLayerTest checks the device's arithmetic against its own codes at 2e-4.
     * The codebook is read from the repository's codebooks/ (-Dcommvq.home names the repository where the working
     * directory is not a module of it).
     */
    @Test
    void greedyTokensMatchTheCpuWithCommVqCodes() {
        Path codebook = Path.of(System.getProperty("commvq.home", ".."))
                .resolve("codebooks/tiny-llama-29m-commvq2.safetensors").toAbsolutePath().normalize();
        assumeTrue(Files.isRegularFile(codebook), codebook + " is absent");
        compare("commvq2", codebook, "q8_0", "4", 124, 1.5e-1, 1e-2);
    }

    private static void compare(String cache, String weights, String layersPerGraph, double abs, double rel) {
        compare(cache, null, weights, layersPerGraph, 0, abs, rel);
    }

    /** @param promptTokens the prompt repeated and cut to this many tokens, or 0 for the prompt as it is */
    private static void compare(String cache, Path codebook, String weights, String layersPerGraph, int promptTokens,
                                double abs, double rel) {
        System.setProperty(TornadoSession.LAYERS_PER_GRAPH, layersPerGraph);
        try (LoadedModel model = ModelLoader.load(tinyModel())) {
            int[] prompt = model.tokenizer().encode(promptTokens == 0 ? PROMPT : (PROMPT + ". ").repeat(40), true);
            if (promptTokens > 0) {
                prompt = Arrays.copyOf(prompt, promptTokens);
            }
            int ctx = prompt.length + STEPS;
            ComparisonResult r;
            try (InferenceSession cpu = new CpuBackend().open(model, new SessionConfig(cache, ctx, codebook, "", ""));
                 InferenceSession gpu = new TornadoBackend().open(model,
                         new SessionConfig(cache, ctx, codebook, "", weights))) {
                r = BackendComparison.run(cpu, gpu, prompt, STEPS);
            }
            System.err.printf("[tornado-kernels] %s cache, %s weights, %s layer(s) per graph: max |logit diff| %.3e"
                    + " over %d steps%n", cache, weights, layersPerGraph, r.maxAbsDiff(), r.steps().size());
            for (ComparisonResult.Step s : r.steps()) {
                double tolerance = abs + rel * s.maxAbsLogit();
                assertTrue(s.maxAbsDiff() <= tolerance, "step " + s.step() + ": max |logit diff| " + s.maxAbsDiff()
                        + " exceeds " + tolerance);
            }
            assertEquals(r.steps().size(), r.agreeingSteps(), "greedy tokens differ from step "
                    + r.firstDisagreement());
        } finally {
            System.clearProperty(TornadoSession.LAYERS_PER_GRAPH);
        }
    }

    private static Path tinyModel() {
        Path shared = Path.of(System.getProperty("commvq.shared", "../shared")).toAbsolutePath().normalize();
        Path model = shared.resolve("models/tiny-llama-29m/tiny-llama-29m-q8_0.gguf");
        if (!Files.isRegularFile(model)) {
            System.err.println("[tornado-kernels] CPU/GPU greedy test skipped: " + model + " is absent"
                    + " (set -Dcommvq.shared=DIR)");
        }
        assumeTrue(Files.isRegularFile(model), model + " is absent");
        return model;
    }
}
