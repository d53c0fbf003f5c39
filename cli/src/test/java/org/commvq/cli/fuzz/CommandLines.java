package org.commvq.cli.fuzz;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.commvq.cli.Main;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Command lines for the commvq CLI, generated from its own picocli model, so that commands and options added later
 * are fuzzed without touching this file. Every file a command could touch stays in a sandbox folder: inputs are a
 * missing file, a file of junk, an empty file or a folder, and outputs lie under a regular file, where nothing can be
 * created. A model is a failing path, or, for the commands whose work is bounded, a tiny synthetic model with the
 * options that size the work pinned to small values.
 */
final class CommandLines {
    private static final String[] VALUES = {"", " ", "-", "--", "0", "1", "-1", "2", "8", "64", "1000", "2147483647",
        "-2147483648", "2147483648", "9223372036854775808", "1e9", "1e309", "NaN", "-Infinity", "0.5", "-0.0", "0x10",
        "abc", "fp32", "fp16", "int8", "kivi2", "kivi4", "vqkv", "commvq1", "commvq2", "cpu", "gpu", "gpu:ptx",
        "gpu:9.9", "cpu:0", "q8_0", "q4_0", "f32", "bf16", "tiny-llama-29m", "llama-3.2-1b", "em", "e2e", "training",
        "validation", "56x1024", "0x0", "24GiB", "-5GiB", "1,2,3", ",", "\u0000", "héllo 😀", "--help", "-V",
        "help", "@.", "@/no/such/file"};
    private static final Set<String> OUTPUT_NAMES = Set.of("-o", "--output", "--out", "--png");
    private static final Set<String> MODEL_NAMES = Set.of("-m", "--model");
    /** Commands whose work the pinned options below bound; the rest never get a loadable model. */
    private static final Map<String, List<String>> TINY_MODEL_PINS = Map.of(
            "commvq info", List.of(),
            "commvq generate", List.of("-n", "8", "--ctx-size", "64"),
            "commvq bench", List.of("--prompt-tokens", "8", "--gen-tokens", "4", "--runs", "1", "--warmup", "0",
                    "--ctx-size", "64"));

    private final CommandLine root = new CommandLine(new Main());
    private final Path sandbox;
    private final Path tinyModel;

    CommandLines(Path sandbox, Path tinyModel) {
        this.sandbox = sandbox;
        this.tinyModel = tinyModel;
    }

    /** A command line; with {@code debug} it asks for a failure's stack trace, which shows the failure's type. */
    record Line(String[] args, boolean debug) {
    }

    Line next(Choices c) {
        List<String> args = new ArrayList<>();
        CommandLine cmd = root;
        if (c.below(10) == 0) {
            args.add(pick(c, VALUES));
        }
        for (int depth = 0; depth < 2 && !cmd.getSubcommands().isEmpty() && c.below(8) != 0; depth++) {
            List<String> names = new ArrayList<>(cmd.getSubcommands().keySet());
            String name = names.get(c.below(names.size()));
            args.add(name);
            cmd = cmd.getSubcommands().get(name);
        }
        boolean debug = cmd.getCommandSpec().findOption("--debug") != null && c.below(2) == 0;
        if (debug) {
            args.add("--debug");
        }
        String qualified = cmd.getCommandSpec().qualifiedName();
        List<String> pins = TINY_MODEL_PINS.get(qualified);
        boolean tiny = pins != null && c.below(3) == 0;
        Set<String> pinned = new HashSet<>();
        for (int i = 0; tiny && i < pins.size(); i += 2) {
            pinned.add(pins.get(i));
        }
        List<OptionSpec> options = new ArrayList<>();
        for (OptionSpec o : cmd.getCommandSpec().options()) {
            if (!o.names()[0].equals("--debug") && !isModel(o) && !pinned.contains(o.longestName())
                    && !pinned.contains(o.shortestName())) {
                options.add(o);
            }
        }
        Set<OptionSpec> used = new HashSet<>();
        for (int n = c.below(7); n > 0; n--) {
            if (options.isEmpty() || c.below(8) == 0) {
                args.add(c.below(2) == 0 ? pick(c, VALUES) : c.anyString(24));
            } else {
                OptionSpec o = options.get(c.below(options.size()));
                add(args, o, c);
                used.add(o);
            }
        }
        for (OptionSpec o : options) {
            if (!used.contains(o) && (isOutput(o) || o.required() && c.below(4) != 0)) {
                add(args, o, c);
            }
        }
        if (cmd.getCommandSpec().options().stream().anyMatch(CommandLines::isModel)) {
            args.add("--model");
            args.add(tiny ? tinyModel.toString() : input(c));
            args.addAll(tiny ? pins : List.of());
        }
        return new Line(args.toArray(String[]::new), debug);
    }

    private void add(List<String> args, OptionSpec o, Choices c) {
        String name = o.names()[c.below(o.names().length)];
        if (o.arity().max() == 0) {
            args.add(name);
            return;
        }
        String value = value(o, c);
        if (name.startsWith("--") && c.below(5) == 0) {
            args.add(name + "=" + value);
        } else {
            args.add(name);
            args.add(value);
        }
        if (o.arity().max() > 1 && c.below(3) == 0) {
            args.add(value(o, c));
        }
    }

    private String value(OptionSpec o, Choices c) {
        if (isOutput(o)) {
            return sandbox.resolve("junk.bin").resolve("out-" + c.below(4)).toString();
        }
        if (isPath(o)) {
            return input(c);
        }
        if (o.completionCandidates() != null && c.below(2) == 0) {
            List<String> candidates = new ArrayList<>();
            o.completionCandidates().forEach(candidates::add);
            if (!candidates.isEmpty()) {
                return candidates.get(c.below(candidates.size()));
            }
        }
        return switch (c.below(4)) {
            case 0 -> Integer.toString(c.anyInt());
            case 1 -> c.anyString(16);
            default -> pick(c, VALUES);
        };
    }

    private String input(Choices c) {
        return switch (c.below(6)) {
            case 0 -> sandbox.resolve("missing.gguf").toString();
            case 1 -> sandbox.resolve("junk.bin").toString();
            case 2 -> sandbox.resolve("empty").toString();
            case 3 -> sandbox.toString();
            case 4 -> "";
            default -> "/no/such/dir/x";
        };
    }

    private static boolean isModel(OptionSpec o) {
        return MODEL_NAMES.contains(o.longestName());
    }

    private static boolean isOutput(OptionSpec o) {
        for (String n : o.names()) {
            if (OUTPUT_NAMES.contains(n)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isPath(OptionSpec o) {
        String label = o.paramLabel() == null ? "" : o.paramLabel();
        return o.type() == Path.class || o.type() == File.class || label.contains("FILE") || label.contains("DIR")
                || label.contains("PATH");
    }

    private static String pick(Choices c, String[] values) {
        return values[c.below(values.length)];
    }
}
