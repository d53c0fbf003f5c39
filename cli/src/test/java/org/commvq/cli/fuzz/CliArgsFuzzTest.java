package org.commvq.cli.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.commvq.cache.ModelShape;
import org.commvq.cache.RopeParameters;
import org.commvq.cache.Workers;
import org.commvq.cache.fuzz.RegressionMode;
import org.commvq.cli.Main;
import org.commvq.model.gguf.GgmlType;
import org.commvq.model.synth.SyntheticModelWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * Main.run on generated command lines (see {@link CommandLines}): it never throws, always returns 0, 1 or 2, prints no
 * stack trace unless asked by --debug, and a failure ends in an "error: " line with the project's message, not a bare
 * exception type. Half the command lines carry --debug: the trace then names the failure's type, which must not be a
 * programming error (NullPointerException, IndexOutOfBounds, ClassCast, IllegalState, an Error, ...). The type is read
 * from the trace rather than from the message because messages echo the fuzzed arguments. The fuzz target reuses one
 * command, as picocli allows; the seeded lines build a fresh one each, as {@code commvq} does.
 *
 * <p>Long run: {@code JAZZER_FUZZ=1 ./mvn25 -pl cli -am test -Dtest=CliArgsFuzzTest#commandLine
 * -Djazzer.max_executions=1000000 -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class CliArgsFuzzTest {
    private static final Path SANDBOX = sandbox();
    private static final CommandLines LINES = new CommandLines(SANDBOX, SANDBOX.resolve("tiny.gguf"));
    /** One command for all executions, as a long fuzz run needs: building picocli's model is most of a short run. */
    private static final CommandLine COMMAND = Main.commandLine();
    /** The types of programming errors; the project's own failures are IllegalArgumentException and its kin. */
    private static final Pattern RAW_TYPE = Pattern.compile("java\\.(lang\\.(NullPointerException"
            + "|\\w*IndexOutOfBoundsException|ClassCastException|NegativeArraySizeException|ArithmeticException"
            + "|IllegalStateException|UnsupportedOperationException|NumberFormatException|\\w+Error)"
            + "|util\\.(ConcurrentModificationException|NoSuchElementException))(:.*)?");
    private static final Pattern RAW_LINE = Pattern.compile("error: (out of memory|StackOverflowError).*"
            + "|error: [A-Za-z.]*(Exception|Error)\\s*");

    @BeforeAll
    static void replayWithoutHooks() {
        RegressionMode.withoutHooks();
    }

    @FuzzTest(maxDuration = "2h")
    void commandLine(FuzzedDataProvider data) {
        check(LINES.next(Choices.of(data)), COMMAND);
    }

    @Test
    @Timeout(120)
    void seededCommandLines() {
        Random random = new Random(0x636c6921L);
        for (int i = 0; i < 150; i++) {
            check(LINES.next(Choices.of(random)), Main.commandLine());
        }
    }

    private static void check(CommandLines.Line line, CommandLine command) {
        String[] args = line.args();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int threads = Workers.threads();
        int code;
        try {
            code = Main.run(command, args, new PrintWriter(out, true), new PrintWriter(err, true));
        } catch (Throwable t) {
            throw new AssertionError("Main.run threw for " + Arrays.toString(args), t);
        } finally {
            Workers.setThreads(threads);
        }
        String e = err.toString();
        List<String> lines = e.lines().toList();
        int error = IntStream.range(0, lines.size()).filter(i -> lines.get(i).startsWith("error: ")).findFirst()
                .orElse(-1);
        boolean trace = lines.stream().anyMatch(l -> l.startsWith("\tat ") || l.startsWith("Caused by:")
                || l.startsWith("Exception in"));
        String problem = code < 0 || code > 2 ? "exit code " + code
                : code != 0 && error < 0 ? "exit code " + code + " without an error line"
                : error >= 0 && RAW_LINE.matcher(lines.get(error)).matches() ? "a raw failure in the error line"
                : line.debug() && error >= 0 && error + 1 < lines.size()
                        && RAW_TYPE.matcher(lines.get(error + 1)).matches() ? "a raw " + lines.get(error + 1)
                : !line.debug() && trace ? "a stack trace" : null;
        if (problem != null) {
            throw new AssertionError(problem + " for " + Arrays.toString(args) + ":\n" + e);
        }
    }

    /** A folder with a junk file, an empty file, and a tiny synthetic model (1 layer, width 32, 512 tokens). */
    private static Path sandbox() {
        try {
            Path dir = Files.createTempDirectory("commvq-cli-fuzz");
            Files.write(dir.resolve("junk.bin"), "GGUF\3\0\0\0 not really a model".getBytes());
            Files.createFile(dir.resolve("empty"));
            ModelShape shape = new ModelShape(1, 32, 2, 1, 16, 64, 512, 64, 1e-5f, RopeParameters.plain(10000));
            SyntheticModelWriter.write(shape, "tiny", GgmlType.F32, 1, dir.resolve("tiny.gguf"));
            // Deleted in reverse order of registration: the files, then the folder.
            for (String name : List.of("", "junk.bin", "empty", "tiny.gguf")) {
                dir.resolve(name).toFile().deleteOnExit();
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
