package org.commvq.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.commvq.cache.train.KvCollection;
import org.commvq.cache.train.KvManifest;
import org.commvq.cache.train.Progress;
import org.commvq.model.collect.KvCollector;
import org.commvq.model.load.LoadedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "collect-kv", mixinStandardHelpOptions = true,
        description = "Run the model over texts and store every layer's pre-RoPE keys, values and queries (fp16"
                + " chunks), each layer's attention output projection W_o (" + KvCollection.ATTENTION_OUTPUT + ") and"
                + " a JSON manifest, for train-codebook. Rerunning with the same arguments resumes an interrupted"
                + " run.")
final class CollectKvCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ModelOptions modelOptions;
    @Mixin
    DebugOption debugOption;

    @Option(names = "--text", paramLabel = "FILE", arity = "1..*", required = true,
            description = "UTF-8 text files, taken in the order given")
    List<Path> texts;

    @Option(names = "--tokens", paramLabel = "N", defaultValue = "65536",
            description = "tokens to collect per layer, rounded up to whole sequences (default: ${DEFAULT-VALUE})")
    long tokens;

    @Option(names = "--seq-len", paramLabel = "L", defaultValue = "512",
            description = "tokens per sequence, BOS included (default: ${DEFAULT-VALUE})")
    int seqLen;

    @Option(names = "--chunk-tokens", paramLabel = "N", defaultValue = "8192",
            description = "about how many tokens each chunk file holds (default: ${DEFAULT-VALUE})")
    int chunkTokens;

    @Option(names = "--split", paramLabel = "SPLIT", defaultValue = "training",
            description = "training: leave out the held-out lines of tiny-llama-29m's validation split (10 parts per"
                    + " file, the last 2 %% of each); all: every line (default: ${DEFAULT-VALUE})")
    String split;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", required = true, description = "the collection folder")
    Path output;

    @Override
    public Integer call() {
        KvCollector.Split s = switch (split.toLowerCase(Locale.ROOT)) {
            case "training" -> KvCollector.Split.TRAINING;
            case "all" -> KvCollector.Split.ALL;
            default -> throw new IllegalArgumentException("--split '" + split + "' is not one of training, all");
        };
        KvCollector.Options options = new KvCollector.Options(tokens, seqLen, chunkTokens, s);
        PrintWriter out = spec.commandLine().getOut();
        long start = System.nanoTime();
        try (LoadedModel model = modelOptions.load()) {
            long total = (tokens + seqLen - 1) / seqLen * seqLen;
            KvCollector.Summary summary;
            try (Progress progress = new Progress(spec.commandLine().getErr(), "collect-kv", total)) {
                summary = KvCollector.collect(model, texts, options, output, progress);
            }
            KvManifest m = summary.collection().manifest();
            out.printf(Locale.ROOT, "%s: %d tokens per layer (%d sequences of %d%s), %d layers x %d KV heads x %d,"
                            + " %d query heads and W_o, %d chunks written, %d already there, %.1f s%n", output,
                    m.tokens(), m.sequences(), m.seqLen(),
                    summary.streamTokens() > 0 ? " from a stream of " + summary.streamTokens() : "", m.layers(),
                    m.kvHeads(), m.headDim(), m.model().heads(), summary.chunksWritten(), summary.chunksSkipped(),
                    (System.nanoTime() - start) / 1e9);
        }
        return 0;
    }
}
