package org.commvq.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.commvq.cache.ModelShape;
import org.commvq.cache.Workers;
import org.commvq.model.backend.InferenceSession;
import org.commvq.model.backend.SessionInfo;
import org.commvq.model.generate.GenerationResult;
import org.commvq.model.generate.Generator;
import org.commvq.model.load.LoadedModel;
import org.commvq.model.sampling.Sampler;
import org.commvq.model.sampling.SamplingParams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Prefill and decode speed over repeated runs. Prompts are seeded random token ids, decoding is greedy and never
 * stops early, so every run does the same amount of work. Runs share one session (weights loaded and, on the GPU,
 * kernels compiled once), emptied before each run.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure prefill and decode tokens/s over several runs (min and median).")
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ModelOptions modelOptions;
    @Mixin
    CacheOptions cacheOptions;
    @Mixin
    DeviceOptions deviceOptions;
    @Mixin
    DebugOption debugOption;

    @Option(names = "--prompt-tokens", paramLabel = "N", defaultValue = "128",
            description = "prompt length (default: ${DEFAULT-VALUE})")
    int promptTokens;

    @Option(names = "--gen-tokens", paramLabel = "N", defaultValue = "64",
            description = "tokens decoded per run (default: ${DEFAULT-VALUE})")
    int genTokens;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "5", description = "measured runs (default: ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "1",
            description = "unmeasured runs first, for the JIT (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--context", paramLabel = "N", defaultValue = "0",
            description = "GPU only: decode after N positions of seeded random cache contents, as if N tokens of"
                    + " context had been run (measures decode at a long context without running it; default: 0)")
    int context;

    @Option(names = "--json", description = "print the result as JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (promptTokens < 1 || genTokens < 1 || runs < 1 || warmup < 0 || context < 0) {
            throw new IllegalArgumentException("--prompt-tokens, --gen-tokens and --runs must be >= 1, --warmup and"
                    + " --context >= 0");
        }
        PrintWriter out = spec.commandLine().getOut();
        DeviceOptions.Selected device = deviceOptions.select();
        try (LoadedModel model = modelOptions.load()) {
            ModelShape shape = model.shape();
            int ctx = cacheOptions.contextSize(model);
            if ((long) context + promptTokens + genTokens > ctx) {
                throw new IllegalArgumentException("--context + --prompt-tokens + --gen-tokens = "
                        + ((long) context + promptTokens + genTokens) + " exceeds --ctx-size " + ctx);
            }
            int[] prompt = new SplittableRandom(7).ints(promptTokens, 0, shape.vocab()).toArray();
            List<Double> prefill = new ArrayList<>();
            List<Double> decode = new ArrayList<>();
            SessionInfo info;
            double openSeconds;
            double firstTokenSeconds = 0;
            long start = System.nanoTime();
            try (InferenceSession session = deviceOptions.open(device, model, cacheOptions)) {
                if (context > 0) {
                    session.fillSyntheticContext(context, 7);
                }
                openSeconds = (System.nanoTime() - start) / 1e9;
                info = session.info();
                for (int run = 0; run < warmup + runs; run++) {
                    session.reset();
                    GenerationResult r = new Generator(session).generate(prompt, genTokens,
                            new Sampler(SamplingParams.greedy()), id -> false, id -> { });
                    if (run == 0) {
                        firstTokenSeconds = openSeconds + r.prefillNanos() / 1e9;
                    }
                    if (run >= warmup) {
                        prefill.add(r.prefillTokensPerSecond());
                        decode.add(r.decodeTokensPerSecond());
                    }
                }
            }
            String cacheType = info.cacheType();
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("model", model.source().toString());
            result.put("weights", model.weightType());
            result.put("weightBytes", model.weights().byteSize());
            result.put("kvCache", cacheType);
            result.put("device", info.backend());
            result.put("deviceName", info.device());
            result.put("deviceWeights", info.weights());
            result.put("weightBytesPerStep", info.weightBytesPerStep());
            result.put("threads", Workers.threads());
            result.put("deviceBytes", info.deviceBytes());
            result.put("context", context);
            result.put("sessionOpenSeconds", openSeconds);
            result.put("timeToFirstTokenSeconds", firstTokenSeconds);
            result.put("promptTokens", promptTokens);
            result.put("genTokens", genTokens);
            result.put("runs", runs);
            result.put("prefillTokensPerSecond", stats(prefill));
            result.put("decodeTokensPerSecond", stats(decode));
            if (json) {
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(result));
            } else {
                out.printf("%s (%s, %s), kv %s, %d threads, %d runs%n", model.source().getFileName(),
                        model.weightType(), Bytes.format(model.weights().byteSize()), cacheType, Workers.threads(),
                        runs);
                out.printf("device %s: %s, weights %s%n", info.backend(), info.device(), info.weights());
                out.printf("session open %.2f s, first token after %.2f s (compiling included)%s%n", openSeconds,
                        firstTokenSeconds, context > 0 ? ", decoding after a synthetic context of " + context : "");
                out.printf("prefill %4d tokens: min %8.1f  median %8.1f  max %8.1f tokens/s%n", promptTokens,
                        min(prefill), median(prefill), max(prefill));
                out.printf("decode  %4d tokens: min %8.1f  median %8.1f  max %8.1f tokens/s%n", genTokens,
                        min(decode), median(decode), max(decode));
            }
        }
        return 0;
    }

    private static Map<String, Double> stats(List<Double> v) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("min", min(v));
        m.put("median", median(v));
        m.put("max", max(v));
        return m;
    }

    private static double min(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    }

    private static double max(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }

    private static double median(List<Double> v) {
        double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }
}
