package org.commvq.cli.eval;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.commvq.cache.KvCache;
import org.commvq.cli.CacheOptions;
import org.commvq.cli.DebugOption;
import org.commvq.cli.ModelOptions;
import org.commvq.cli.eval.report.Formats;
import org.commvq.cli.eval.report.ReportTables;
import org.commvq.model.eval.CachedModel;
import org.commvq.model.eval.Haystack;
import org.commvq.model.eval.NeedleTask;
import org.commvq.model.eval.RetrievalGrid;
import org.commvq.model.eval.RetrievalTest;
import org.commvq.model.eval.TextCodec;
import org.commvq.model.load.LoadedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "passkey", mixinStandardHelpOptions = true,
        description = {"Pass-key retrieval accuracy per context length and needle depth (tiny-llama-29m's protocol).",
                "Prompt: BOS, the standard preamble, haystack with \"The pass key is NNNNN. Remember it. NNNNN is the"
                        + " pass key.\" at a sentence or line boundary near the depth, then \"\\nWhat is the pass key?"
                        + " The pass key is\"; L − 8 tokens in all. Greedy decoding of 8 tokens is correct when it"
                        + " starts with the 5 digits."})
final class PasskeyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ModelOptions modelOptions;
    @Mixin
    CacheOptions cacheOptions;
    @Mixin
    RetrievalOptions retrievalOptions;
    @Mixin
    HaystackOptions haystackOptions;
    @Mixin
    DebugOption debugOption;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        LabelledText hay = haystackOptions.load();
        try (LoadedModel model = modelOptions.load()) {
            KvCache cache = cacheOptions.create(model);
            TextCodec codec = TextCodec.of(model.tokenizer());
            RetrievalTest test = RetrievalTest.build(NeedleTask.passKey(), Haystack.of(hay.content(), codec), codec,
                    retrievalOptions.lengths(), retrievalOptions.depths(), retrievalOptions.trials,
                    retrievalOptions.seed);
            Retrievals.checkFits(test, cache.capacity());
            err.printf("pass key: haystack %s; kv %s; %d prompts (%d per cell), seed %d%n", hay.label(), cache.type(),
                    test.promptCount(), retrievalOptions.trials, retrievalOptions.seed);
            RetrievalGrid grid = Retrievals.run(err, "passkey " + cache.type(), test,
                    new CachedModel(model.forward(), cache), codec);
            out.print(ReportTables.retrieval(grid).text());
            out.printf("mean accuracy %s (kv %s, %.1f s)%n", Formats.fixed(grid.mean(), 3), cache.type(),
                    grid.seconds());
        }
        return 0;
    }
}
