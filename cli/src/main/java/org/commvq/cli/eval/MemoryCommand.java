package org.commvq.cli.eval;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.commvq.cache.KvCacheFactory;
import org.commvq.cli.DebugOption;
import org.commvq.cli.eval.report.Formats;
import org.commvq.cli.eval.report.ReportTables;
import org.commvq.cli.eval.report.ReportWriter;
import org.commvq.cli.eval.report.SuiteReport;
import org.commvq.model.eval.MemoryBudget;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "memory", mixinStandardHelpOptions = true,
        description = {"Bytes per token of every KV cache type and the longest context that fits a memory budget.",
                "Counted: weights (untied output head, norms in f32), one decode step's activations, the logits,"
                        + " attention scores (one float per query head and token), each compressed cache's bounded"
                        + " fp16 tail or window, and codebooks found in --codebook-dir."})
final class MemoryCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    MemoryOptions memoryOptions;
    @Mixin
    CodebookDirOption codebooks;
    @Mixin
    DebugOption debugOption;

    @Option(names = "--ctx", paramLabel = "N,...", split = ",", defaultValue = "8192,32768,131072",
            description = "contexts to show the total memory at (default: ${DEFAULT-VALUE})")
    long[] contexts;

    @Option(names = "--png", paramLabel = "FILE", defaultValue = "max_context.png",
            description = "bar chart of the longest context per type (default: ${DEFAULT-VALUE})")
    Path png;

    @Override
    public Integer call() {
        for (long c : contexts) {
            if (c < 1) {
                throw new IllegalArgumentException("--ctx must be positive token counts, got " + c);
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        MemoryBudget budget = memoryOptions.budget();
        SuiteReport.MemoryReport report = SuiteReport.MemoryReport.of(memoryOptions.shape, budget, contexts,
                KvCacheFactory.types(), codebooks::bytes);
        out.printf("%s (trained context %s), %s weights: %,d parameters, %s; activations %s, logits %s;"
                        + " budget %s (%,d bytes)%n", memoryOptions.shape, Formats.tokens(budget.shape()
                        .contextLength()), budget.weights(), budget.parameterCount(),
                Formats.bytes(budget.weightBytes()), Formats.bytes(budget.activationBytes()),
                Formats.bytes(budget.logitsBytes()), Formats.size(budget.budget()), budget.budget());
        out.print(ReportTables.memory(report).text());
        out.println("wrote " + ReportWriter.maxContextChart(png, report));
        return 0;
    }
}
