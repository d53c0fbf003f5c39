package org.commvq.cli.eval;

import java.util.Arrays;
import org.commvq.model.eval.RetrievalTest;
import picocli.CommandLine.Option;

/** The length × depth grid of a needle test, and its trials and seed. */
public final class RetrievalOptions {
    @Option(names = "--lengths", paramLabel = "L,...", split = ",", defaultValue = "512,1024,2048",
            description = "context lengths in tokens: prompt L − 8, then 8 answer tokens (default: ${DEFAULT-VALUE})")
    int[] lengths;

    @Option(names = "--depths", paramLabel = "D,...", split = ",", defaultValue = "0,0.25,0.5,0.75,1",
            description = "needle depths in the haystack, 0 = start, 1 = end (default: ${DEFAULT-VALUE})")
    double[] depths;

    @Option(names = "--trials", paramLabel = "N", defaultValue = "5",
            description = "prompts per cell, each with its own needle and haystack offset (default: ${DEFAULT-VALUE})")
    int trials;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1234",
            description = "seed of the needles and haystack offsets (default: ${DEFAULT-VALUE})")
    long seed;

    int[] lengths() {
        if (Arrays.stream(lengths).anyMatch(l -> l <= RetrievalTest.ANSWER_TOKENS)) {
            throw new IllegalArgumentException("--lengths must exceed the " + RetrievalTest.ANSWER_TOKENS
                    + " answer tokens, got " + Arrays.toString(lengths));
        }
        return lengths;
    }

    double[] depths() {
        if (Arrays.stream(depths).anyMatch(d -> !(d >= 0 && d <= 1))) {
            throw new IllegalArgumentException("--depths must be in [0, 1], got " + Arrays.toString(depths));
        }
        return depths;
    }
}
