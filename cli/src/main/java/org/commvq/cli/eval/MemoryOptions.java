package org.commvq.cli.eval;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.commvq.model.ShapePresets;
import org.commvq.model.eval.MemoryBudget;
import org.commvq.model.gguf.GgmlType;
import picocli.CommandLine.Option;

/** --budget, --shape, --weights: the machine and model of a memory projection. */
public final class MemoryOptions {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([KMGT]i?B|B)?",
            Pattern.CASE_INSENSITIVE);

    @Option(names = "--budget", paramLabel = "SIZE", defaultValue = "24GiB",
            description = "memory for weights, buffers and cache, e.g. 24GiB (powers of 1024) or 24GB (powers of"
                    + " 1000) (default: ${DEFAULT-VALUE})")
    String budget;

    @Option(names = "--shape", paramLabel = "NAME", defaultValue = "llama-3.1-8b",
            description = "model shape: tiny-llama-29m, llama-3.2-1b, llama-3.2-3b, llama-3.1-8b (default:"
                    + " ${DEFAULT-VALUE})")
    String shape;

    @Option(names = "--weights", paramLabel = "TYPE", defaultValue = "q8_0",
            description = "weight type: f32, f16, bf16, q8_0, q4_0 (default: ${DEFAULT-VALUE})")
    String weights;

    MemoryBudget budget() {
        return new MemoryBudget(ShapePresets.get(shape), weightType(weights), parseBytes(budget));
    }

    static GgmlType weightType(String name) {
        try {
            GgmlType t = GgmlType.valueOf(name.toUpperCase(Locale.ROOT));
            if (t.isSupported()) {
                return t;
            }
        } catch (IllegalArgumentException e) {
            // Not a type name at all: the same message as an unsupported one.
        }
        throw new IllegalArgumentException("--weights '" + name + "' is not one of f32, f16, bf16, q8_0, q4_0");
    }

    /** "24GiB" = 24·2³⁰, "24GB" = 24·10⁹, "1000" = 1000 bytes. */
    static long parseBytes(String text) {
        return parseBytes("--budget", text);
    }

    /** As {@link #parseBytes(String)}, with the flag to name in the error. */
    public static long parseBytes(String flag, String text) {
        Matcher m = SIZE.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException(flag + " '" + text + "' is not a size such as 24GiB or 80GB");
        }
        String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
        int power = "BKMGT".indexOf(unit.charAt(0));
        double scale = Math.pow(unit.contains("I") ? 1024 : 1000, power);
        return (long) Math.floor(Double.parseDouble(m.group(1)) * scale);
    }
}
