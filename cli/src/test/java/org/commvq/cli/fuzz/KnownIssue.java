package org.commvq.cli.fuzz;

import java.util.List;
import java.util.Optional;
import java.util.function.BiPredicate;

/**
 * Findings of the command-line fuzzing in code this suite does not own, reported with the fix they need. An input
 * that shows exactly such a symptom is not counted again, so the fuzzing goes on finding new ones; an entry goes
 * when its fix lands.
 */
record KnownIssue(String description, BiPredicate<String[], String> symptom) {
    static final List<KnownIssue> ALL = List.of(
            new KnownIssue("--threads above 32767 ends in 'error: IllegalArgumentException' with no message:"
                    + " Workers.setThreads passes it unchecked to new ForkJoinPool(n), which refuses n > 32767",
                    (args, err) -> err.lines().anyMatch(l -> l.equals("error: IllegalArgumentException"))
                            && option(args, "--threads").map(KnownIssue::aboveForkJoinCap).orElse(false)),
            new KnownIssue("synth --layers N has no upper bound: SyntheticModelWriter lists N layers of tensors before"
                    + " writing, so a large N runs the heap out (reported by Main as 'error: out of memory')",
                    (args, err) -> args.length > 0 && args[0].equals("synth")
                            && err.strip().startsWith("error: out of memory")));

    static Optional<KnownIssue> matching(String[] args, String err) {
        return ALL.stream().filter(k -> k.symptom.test(args, err)).findFirst();
    }

    private static Optional<String> option(String[] args, String name) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(name) && i + 1 < args.length) {
                return Optional.of(args[i + 1]);
            }
            if (args[i].startsWith(name + "=")) {
                return Optional.of(args[i].substring(name.length() + 1));
            }
        }
        return Optional.empty();
    }

    private static boolean aboveForkJoinCap(String value) {
        try {
            return Integer.parseInt(value.strip()) > 0x7fff;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
