package org.commvq.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code commvq} command. Errors are one line on stderr and a non-zero exit; --debug adds the stack trace. */
@Command(name = "commvq", mixinStandardHelpOptions = true, version = "commvq 0.1.0",
        description = "LLaMA inference in Java with a compressed (CommVQ / VQKV / scalar) KV cache.",
        subcommands = {GenerateCommand.class, ChatCommand.class, InfoCommand.class, BenchCommand.class,
                SynthCommand.class, org.commvq.cli.eval.EvalCommand.class, DevicesCommand.class,
                CompareCommand.class, CommandLine.HelpCommand.class,
                CollectKvCommand.class,
                TrainCodebookCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command line with the given streams; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        // picocli would read an argument "@x" as a file of arguments, and print a stack trace when x is unreadable.
        cl.setExpandAtFiles(false);
        boolean debug = java.util.Arrays.asList(args).contains("--debug");
        cl.setParameterExceptionHandler((ex, a) -> {
            CommandLine cmd = ex.getCommandLine();
            err.println("error: " + oneLine(ex.getMessage()) + " (see '" + cmd.getCommandSpec().qualifiedName()
                    + " --help')");
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            err.println("error: " + describe(ex));
            if (debug) {
                ex.printStackTrace(err);
            }
            return 1;
        });
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError | StackOverflowError e) {
            // picocli hands only Exceptions to the handler above; these Errors would escape with a stack trace.
            err.println("error: " + describe(e));
            if (debug) {
                e.printStackTrace(err);
            }
            return 1;
        }
    }

    /** One line for any failure: our own exceptions carry a complete message; others get their type named. */
    static String describe(Throwable ex) {
        Throwable t = ex;
        while ((t.getMessage() == null || t.getMessage().isBlank()) && t.getCause() != null) {
            t = t.getCause();
        }
        String msg = t.getMessage();
        if (t instanceof OutOfMemoryError) {
            return "out of memory (" + oneLine(msg) + "); use a smaller --ctx-size or model, or raise -Xmx";
        }
        if (msg == null || msg.isBlank()) {
            return t.getClass().getSimpleName();
        }
        if (t instanceof java.nio.file.NoSuchFileException) {
            return msg + ": no such file";
        }
        if (t instanceof java.nio.file.AccessDeniedException) {
            return msg + ": permission denied";
        }
        return oneLine(msg);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ").trim();
    }
}
