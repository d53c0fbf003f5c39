package org.commvq.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.commvq.cache.KvCacheFactory;
import org.commvq.cli.Main;
import org.commvq.model.backend.BackendComparison;
import org.commvq.model.backend.CpuBackend;
import org.commvq.model.backend.InferenceSession;
import org.commvq.model.backend.SessionConfig;
import org.commvq.model.generate.Generator;
import org.commvq.model.load.LoadedModel;
import org.commvq.model.load.ModelLoader;
import org.commvq.model.sampling.Sampler;
import org.commvq.model.sampling.SamplingParams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --device, `devices` and `compare` through the real command line, in a JVM without the GPU backend (this module
 * does not depend on tornado-kernels, so its jar is absent, as on a machine built without TornadoVM).
 */
class DeviceCommandsTest {
    @TempDir
    Path tmp;

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    private static void assertOneLineError(Run r, String... mustContain) {
        assertNotEquals(0, r.code(), "exit code");
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line expected, got:\n" + err);
        assertTrue(err.startsWith("error: "), err);
        assertFalse(err.contains("Exception") || err.contains("\tat "), "no stack trace: " + err);
        for (String s : mustContain) {
            assertTrue(err.contains(s), "'" + s + "' missing from: " + err);
        }
    }

    @Test
    void gpuWithoutTheBackendIsOneLineNamingTheFlag() {
        // The device is checked before the model is loaded, so no model is needed to get the answer.
        for (String command : new String[] {"generate", "bench", "chat"}) {
            assertOneLineError(run(command, "--device", "gpu", "-m", "/no/such/model.gguf"), "--device gpu",
                    "no GPU backend", "commvq-tornado-kernels");
        }
        assertOneLineError(run("compare", "-m", "/no/such/model.gguf"), "--device gpu", "no GPU backend");
        assertOneLineError(run("generate", "--device", "gpu:ptx", "-p", "x"), "--device gpu:ptx", "no GPU backend");
    }

    @Test
    void unknownDeviceIsRefused() {
        assertOneLineError(run("generate", "--device", "tpu", "-p", "x"), "--device must be cpu or gpu", "tpu");
        assertOneLineError(run("generate", "--device", "cpu:1", "-p", "x"), "--device must be cpu or gpu");
    }

    @Test
    void devicesListsTheCpuAndSaysWhyThereIsNoGpu() {
        Run r = run("devices");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("cpu:\n  CPU, "), r.out());
        assertTrue(r.out().contains("gpu: unavailable: no GPU backend on the class path"), r.out());
    }

    @Test
    void sessionGeneratorOnTheCpuIsTheGenerator() {
        try (LoadedModel model = ModelLoader.load(SharedFixtures.tinyModel("tiny-llama-29m-q8_0.gguf"))) {
            int[] prompt = model.tokenizer().encode("It is a truth universally acknowledged", true);
            int[] expected = new Generator(model.forward(), KvCacheFactory.create("fp16",
                    model.shape(), 64, null, model.vocabHash())).generate(prompt, 12,
                    new Sampler(SamplingParams.greedy()), id -> false, id -> { }).generated();
            try (InferenceSession session = new CpuBackend().open(model, new SessionConfig("fp16", 64, null, "",
                    ""))) {
                int[] actual = new Generator(session).generate(prompt, 12,
                        new Sampler(SamplingParams.greedy()), id -> false, id -> { }).generated();
                assertEquals(Arrays.toString(expected), Arrays.toString(actual));
                session.reset();
                assertEquals(0, session.length());
                assertEquals(expected[0], BackendComparison.argmax(session.forward(prompt, 0, prompt.length, 0)));
            }
        }
    }

    @Test
    void compareWritesJsonMarkdownAndPng() throws IOException {
        Path model = SharedFixtures.tinyModel("tiny-llama-29m-q8_0.gguf");
        Path out = tmp.resolve("report");
        Run r = run("compare", "-m", model.toString(), "--device", "cpu", "--kv-cache", "fp32", "-n", "4", "--out",
                out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("greedy agreement: 4 of 4 steps"), r.out());
        JsonNode json = new ObjectMapper().readTree(out.resolve("compare.json").toFile());
        assertEquals(0.0, json.at("/logits/maxAbsDiff").asDouble());
        assertEquals(4, json.at("/greedy/agreeingSteps").asInt());
        assertEquals(4, json.at("/logits/maxAbsDiffPerStep").size());
        assertTrue(json.at("/decode/candidateTokensPerSecond").asDouble() > 0);
        assertTrue(Files.readString(out.resolve("compare.md")).startsWith("# CPU vs cpu comparison"));
        byte[] png = Files.readAllBytes(out.resolve("compare.png"));
        assertTrue(png.length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "a PNG file");
    }
}
