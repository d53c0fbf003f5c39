package org.commvq.model.collect;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The training/validation split of tiny-llama-29m's corpora (its README): each file is cut at line boundaries
 * into 10 parts of equal line count, and the last 2 % of the lines of each part (0.02·m rounded half to even) are
 * held out. Lines are split on '\n'; part i holds lines ⌊i·n/10⌋ .. ⌊(i+1)·n/10⌋. Held-out pieces are stripped of
 * surrounding whitespace and end with one '\n', which reproduces {@link org.commvq.model.eval.ValidationSplit}
 * byte for byte; training pieces are stripped.
 */
public final class CorpusSplit {
    public static final int PARTS = 10;
    public static final double HELD_OUT = 0.02;

    /** One part of a file: the lines trained on and the lines held back after them. */
    public record Part(String training, String validation) {
    }

    private CorpusSplit() {
    }

    public static List<Part> parts(String text) {
        List<String> lines = Arrays.asList(text.split("\n", -1));
        long n = lines.size();
        List<Part> parts = new ArrayList<>(PARTS);
        for (int i = 0; i < PARTS; i++) {
            int from = (int) (i * n / PARTS);
            int to = (int) ((i + 1) * n / PARTS);
            int keep = (int) Math.rint((to - from) * HELD_OUT);
            parts.add(new Part(String.join("\n", lines.subList(from, to - keep)).strip(),
                    String.join("\n", lines.subList(to - keep, to)).strip() + "\n"));
        }
        return parts;
    }

    /** The training pieces of a file, one per part, in file order. */
    public static List<String> training(String text) {
        return parts(text).stream().map(Part::training).filter(s -> !s.isEmpty()).toList();
    }

    /** The validation text of a file: the held-out pieces joined. */
    public static String validation(String text) {
        return String.join("", parts(text).stream().map(Part::validation).toList());
    }
}
