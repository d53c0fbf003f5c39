package org.commvq.cli.eval;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** `commvq eval`: quality and memory measurements of the KV cache types. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate KV cache types: perplexity, pass-key and needle retrieval, memory budgets, reports.",
        subcommands = {PplCommand.class, PasskeyCommand.class, NiahCommand.class, MemoryCommand.class,
                AllCommand.class, BenchReportCommand.class, CommandLine.HelpCommand.class})
public final class EvalCommand {
}
