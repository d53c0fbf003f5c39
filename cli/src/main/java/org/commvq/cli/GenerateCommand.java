package org.commvq.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.commvq.cache.CacheMemory;
import org.commvq.model.backend.InferenceSession;
import org.commvq.model.backend.SessionInfo;
import org.commvq.model.generate.GenerationResult;
import org.commvq.model.generate.Generator;
import org.commvq.model.load.LoadedModel;
import org.commvq.model.sampling.Sampler;
import org.commvq.model.sampling.SamplingParams;
import org.commvq.model.tokenizer.Llama3Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Continue a prompt, streaming the text; ends with prompt and generation speed.")
final class GenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ModelOptions modelOptions;
    @Mixin
    CacheOptions cacheOptions;
    @Mixin
    SamplingOptions samplingOptions;
    @Mixin
    DeviceOptions deviceOptions;
    @Mixin
    DebugOption debugOption;

    @Option(names = {"-p", "--prompt"}, paramLabel = "TEXT", defaultValue = "",
            description = "the prompt (default: empty, i.e. start from <|begin_of_text|>)")
    String prompt;

    @Option(names = {"-n", "--n-predict"}, paramLabel = "N", defaultValue = "128",
            description = "tokens to generate (default: ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--verbose", description = "print the model, cache memory and seed")
    boolean verbose;

    @Override
    public Integer call() {
        if (maxTokens < 0) {
            throw new IllegalArgumentException("-n/--n-predict must be >= 0, got " + maxTokens);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        DeviceOptions.Selected device = deviceOptions.select();
        try (LoadedModel model = modelOptions.load();
             InferenceSession session = deviceOptions.open(device, model, cacheOptions)) {
            SamplingParams params = samplingOptions.params();
            Llama3Tokenizer tokenizer = model.tokenizer();
            int[] ids = tokenizer.encode(prompt, true);
            SessionInfo info = session.info();
            if (verbose) {
                err.printf("model: %s (%s, %s), kv cache: %s, ctx %d, seed %d, threads %d%n", model.source(),
                        model.format(), model.weightType(), info.cacheType(), session.capacity(), params.seed(),
                        org.commvq.cache.Workers.threads());
                err.printf("device: %s (%s), weights there: %s%n", info.backend(), info.device(), info.weights());
            }
            out.print(prompt);
            out.flush();
            Llama3Tokenizer.StreamDecoder stream = tokenizer.streamDecoder();
            GenerationResult r = new Generator(session).generate(ids, maxTokens, new Sampler(params),
                    tokenizer::isEndOfText, id -> {
                        out.print(stream.next(id));
                        out.flush();
                    });
            out.println(stream.finish());
            err.printf("prompt: %d tokens, %.1f tokens/s | generation: %d tokens, %.1f tokens/s%s%n",
                    r.promptTokens(), r.prefillTokensPerSecond(), r.generated().length, r.decodeTokensPerSecond(),
                    r.stopReason() == GenerationResult.StopReason.CONTEXT_FULL ? " (stopped: context full)" : "");
            if (verbose) {
                CacheMemory m = session.memory();
                err.printf("kv cache %s: %d tokens, %s total (codes %s, norms/scales %s, full precision %s)%n",
                        info.cacheType(), m.tokens(), Bytes.format(m.totalBytes()), Bytes.format(m.codeBytes()),
                        Bytes.format(m.scaleBytes()), Bytes.format(m.fullBytes()));
            }
        }
        return 0;
    }
}
