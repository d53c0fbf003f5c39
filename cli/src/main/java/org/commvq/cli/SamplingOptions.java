package org.commvq.cli;

import org.commvq.model.sampling.SamplingParams;
import picocli.CommandLine.Option;

/** --temperature, --top-k, --top-p, --seed. */
public final class SamplingOptions {
    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0.8",
            description = "sampling temperature; 0 = greedy (default: ${DEFAULT-VALUE})")
    float temperature;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "40",
            description = "keep the K most likely tokens; 0 = off (default: ${DEFAULT-VALUE})")
    int topK;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "0.95",
            description = "nucleus sampling mass; 1 = off (default: ${DEFAULT-VALUE})")
    float topP;

    @Option(names = "--seed", paramLabel = "S", description = "random seed (default: from the clock, printed with --verbose)")
    Long seed;

    public SamplingParams params() {
        long s = seed != null ? seed : System.nanoTime();
        return new SamplingParams(temperature, topK, topP, s);
    }
}
