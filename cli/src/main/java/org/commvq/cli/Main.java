package org.commvq.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
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
        return run(commandLine(), args, out, err);
    }

    /**
     * The configured command, for callers that run many command lines in one JVM (the fuzz target): building picocli's
     * model costs milliseconds, and picocli resets every option to its initial value before each parse.
     */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        // picocli would read an argument "@x" as a file of arguments, and print a stack trace when x is unreadable.
        cl.setExpandAtFiles(false);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine cmd = ex.getCommandLine();
            cl.getErr().println("error: " + oneLine(ex.getMessage()) + " (see '"
                    + cmd.getCommandSpec().qualifiedName() + " --help')");
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            fail(ex, parsed.originalArgs(), cl.getErr());
            return 1;
        });
        return cl;
    }

    /** Runs one command line on a command from {@link #commandLine()}; returns the exit code. */
    public static int run(CommandLine cl, String[] args, PrintWriter out, PrintWriter err) {
        cl.setOut(out);
        cl.setErr(err);
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError | StackOverflowError e) {
            // picocli hands only Exceptions to the handler above; these Errors would escape with a stack trace.
            fail(e, Arrays.asList(args), err);
            return 1;
        }
    }

    private static void fail(Throwable ex, List<String> args, PrintWriter err) {
        err.println("error: " + describe(ex));
        if (args.contains("--debug")) {
            ex.printStackTrace(err);
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
