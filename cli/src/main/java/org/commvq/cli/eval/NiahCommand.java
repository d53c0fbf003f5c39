package org.commvq.cli.eval;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.commvq.cache.KvCache;
import org.commvq.cli.CacheOptions;
import org.commvq.cli.DebugOption;
import org.commvq.cli.ModelOptions;
import org.commvq.cli.eval.report.Formats;
import org.commvq.cli.eval.report.ReportTables;
import org.commvq.cli.eval.report.ReportWriter;
import org.commvq.model.eval.CachedModel;
import org.commvq.model.eval.Haystack;
import org.commvq.model.eval.RetrievalGrid;
import org.commvq.model.eval.RetrievalTest;
import org.commvq.model.eval.TextCodec;
import org.commvq.model.load.LoadedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "niah", mixinStandardHelpOptions = true,
        description = {"Needle in a haystack: a fact hidden in Paul Graham's essays, asked for after them; writes the"
                + " depth × length heatmap.",
                "Needles are the model's \"fact\" kind, e.g. \"Victoria was born in Oxford in the year 1863.\", asked"
                        + " as \"In which year was Victoria born? Victoria was born in Oxford in the year\"; an answer"
                        + " is correct when its 8 greedy tokens contain the year."})
final class NiahCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ModelOptions modelOptions;
    @Mixin
    CacheOptions cacheOptions;
    @Mixin
    RetrievalOptions retrievalOptions;
    @Mixin
    NiahOptions niahOptions;
    @Mixin
    DebugOption debugOption;

    @Option(names = "--png", paramLabel = "FILE", defaultValue = "niah.png",
            description = "the heatmap to write (default: ${DEFAULT-VALUE})")
    Path png;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path essays = niahOptions.essays();
        String text = SharedFiles.read(essays, "--essays");
        try (LoadedModel model = modelOptions.load()) {
            KvCache cache = cacheOptions.create(model);
            TextCodec codec = TextCodec.of(model.tokenizer());
            RetrievalTest test = RetrievalTest.build(niahOptions.task(), Haystack.of(text, codec), codec,
                    retrievalOptions.lengths(), retrievalOptions.depths(), retrievalOptions.trials,
                    retrievalOptions.seed);
            Retrievals.checkFits(test, cache.capacity());
            err.printf("needle in a haystack: %s; kv %s; %d prompts (%d per cell), seed %d%n", essays.getFileName(),
                    cache.type(), test.promptCount(), retrievalOptions.trials, retrievalOptions.seed);
            RetrievalGrid grid = Retrievals.run(err, "niah " + cache.type(), test,
                    new CachedModel(model.forward(), cache), codec);
            out.print(ReportTables.retrieval(grid).text());
            out.printf("mean score %s (kv %s, %.1f s)%n", Formats.fixed(grid.mean(), 3), cache.type(),
                    grid.seconds());
            out.println("wrote " + ReportWriter.niahHeatmap(png, cache.type(), grid));
        }
        return 0;
    }
}
