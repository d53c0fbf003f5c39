package org.commvq.cli.eval;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.commvq.cache.KvCache;
import org.commvq.cache.KvCacheFactory;
import org.commvq.cli.CacheOptions;
import org.commvq.cli.DebugOption;
import org.commvq.cli.ModelOptions;
import org.commvq.cli.eval.report.ReportTables;
import org.commvq.cli.eval.report.SuiteReport;
import org.commvq.model.eval.CachedModel;
import org.commvq.model.eval.MemoryBudget;
import org.commvq.model.eval.PerplexityEvaluator;
import org.commvq.model.eval.PerplexityResult;
import org.commvq.model.eval.TokenBytes;
import org.commvq.model.load.LoadedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "ppl", mixinStandardHelpOptions = true,
        description = {"Perplexity of a text fed through the KV cache as generation feeds it.",
                "Windows of --ctx tokens (BOS first) advance by --stride; each token is scored once. A window's"
                        + " unscored overlap is prefilled in one call, then its scored tokens go in --chunk at a time"
                        + " with everything before them already in the cache, so compressed tokens count."})
final class PplCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ModelOptions modelOptions;
    @Mixin
    CacheOptions cacheOptions;
    @Mixin
    TextOptions textOptions;
    @Mixin
    PerplexityOptions perplexityOptions;
    @Mixin
    DebugOption debugOption;

    @Option(names = "--vqkv-window", paramLabel = "N", defaultValue = "1024",
            description = "with --kv-cache vqkv: tokens kept in full precision after the 4 sinks; a batch of N is"
                    + " compressed when the window reaches 2N (default: ${DEFAULT-VALUE}, the paper's; within a"
                    + " 2048-token context that compresses almost nothing)")
    int vqkvWindow;

    @Override
    public Integer call() {
        if (vqkvWindow < 1 || vqkvWindow > 1 << 20) {
            throw new IllegalArgumentException("--vqkv-window must be between 1 and 1048576, got " + vqkvWindow);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        PerplexityEvaluator evaluator = perplexityOptions.evaluator();
        LabelledText text = textOptions.load();
        try (LoadedModel model = modelOptions.load()) {
            KvCache cache = cacheOptions.create(model, vqkvWindow);
            perplexityOptions.checkFits(cache.capacity());
            int[] ids = perplexityOptions.tokens(model.tokenizer(), text.content());
            err.printf("%s: %,d tokens; kv %s, ctx %d, stride %d, chunk %d%n", text.label(), ids.length,
                    cache.type(), evaluator.ctx(), evaluator.stride(), evaluator.chunk());
            PerplexityResult r;
            try (ProgressBar bar = new ProgressBar(err, "ppl " + cache.type(), ids.length)) {
                r = evaluator.run(ids, model.tokenizer().bos(), new CachedModel(model.forward(), cache),
                        TokenBytes.of(model.tokenizer()), bar);
            }
            double bytes = KvCacheFactory.bytesPerToken(cache, model.shape());
            SuiteReport.CacheEntry entry = new SuiteReport.CacheEntry(cache.type(),
                    MemoryBudget.bitsPerValue(bytes, model.shape()), bytes, SuiteReport.PerplexityEntry.of(r),
                    null, null);
            out.print(ReportTables.perplexity(List.of(entry)).text());
            out.flush();
        }
        return 0;
    }
}
