package org.commvq.model.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * A length × depth grid of needle prompts, drawn once from a seed so that every cache type answers the same
 * prompts. Each prompt is L − {@value #ANSWER_TOKENS} tokens and the model decodes {@value #ANSWER_TOKENS} greedy
 * tokens, so the whole exchange fits a context of L.
 */
public final class RetrievalTest {
    public static final int ANSWER_TOKENS = 8;

    private final int[] lengths;
    private final double[] depths;
    private final int trials;
    private final NeedlePrompt[][][] prompts;

    private RetrievalTest(int[] lengths, double[] depths, int trials, NeedlePrompt[][][] prompts) {
        this.lengths = lengths;
        this.depths = depths;
        this.trials = trials;
        this.prompts = prompts;
    }

    public static RetrievalTest build(NeedleTask task, Haystack haystack, TextCodec codec, int[] lengths,
                                      double[] depths, int trials, long seed) {
        if (lengths.length == 0 || depths.length == 0) {
            throw new IllegalArgumentException("--lengths and --depths need at least one value each");
        }
        if (trials < 1) {
            throw new IllegalArgumentException("--trials must be at least 1, got " + trials);
        }
        SplittableRandom random = new SplittableRandom(seed);
        NeedlePrompt[][][] prompts = new NeedlePrompt[lengths.length][depths.length][trials];
        for (int l = 0; l < lengths.length; l++) {
            for (int d = 0; d < depths.length; d++) {
                for (int t = 0; t < trials; t++) {
                    prompts[l][d][t] = NeedlePrompt.build(codec, task.preamble(), haystack,
                            haystack.randomStart(random), task.draw().apply(random), lengths[l] - ANSWER_TOKENS,
                            depths[d]);
                }
            }
        }
        return new RetrievalTest(lengths.clone(), depths.clone(), trials, prompts);
    }

    public int promptCount() {
        return lengths.length * depths.length * trials;
    }

    /** Tokens a cache must hold: the longest prompt and its answer. */
    public int maxLength() {
        int max = 0;
        for (int l : lengths) {
            max = Math.max(max, l);
        }
        return max;
    }

    public NeedlePrompt prompt(int length, int depth, int trial) {
        return prompts[length][depth][trial];
    }

    /** @param progress receives 1 per answered prompt */
    public RetrievalGrid run(GreedyCompletion model, TextCodec codec, IntConsumer progress) {
        long start = System.nanoTime();
        double[][] scores = new double[lengths.length][depths.length];
        List<RetrievalGrid.Example> examples = new ArrayList<>();
        for (int l = 0; l < lengths.length; l++) {
            for (int d = 0; d < depths.length; d++) {
                int correct = 0;
                for (int t = 0; t < trials; t++) {
                    NeedlePrompt p = prompts[l][d][t];
                    String answer = codec.decode(model.complete(p.ids(), ANSWER_TOKENS));
                    boolean ok = p.needle().answeredBy(answer);
                    correct += ok ? 1 : 0;
                    if (t == 0) {
                        examples.add(new RetrievalGrid.Example(lengths[l], depths[d], p.needle().answer(), answer,
                                ok));
                    }
                    progress.accept(1);
                }
                scores[l][d] = (double) correct / trials;
            }
        }
        return new RetrievalGrid(lengths.clone(), depths.clone(), trials, scores, examples,
                (System.nanoTime() - start) / 1e9);
    }
}
