package org.commvq.model.eval;

import java.util.List;

/**
 * Scores of a retrieval test: {@code scores[length][depth]} is the fraction of trials answered correctly.
 *
 * @param examples the first trial of every cell, to show what the model said
 */
public record RetrievalGrid(int[] lengths, double[] depths, int trials, double[][] scores, List<Example> examples,
                            double seconds) {

    public record Example(int length, double depth, String expected, String generated, boolean correct) {
    }

    /** Mean over the depths of one length. */
    public double meanAtLength(int lengthIndex) {
        double sum = 0;
        for (double s : scores[lengthIndex]) {
            sum += s;
        }
        return sum / depths.length;
    }

    /** Mean over every cell. */
    public double mean() {
        double sum = 0;
        for (int l = 0; l < lengths.length; l++) {
            sum += meanAtLength(l);
        }
        return sum / lengths.length;
    }
}
