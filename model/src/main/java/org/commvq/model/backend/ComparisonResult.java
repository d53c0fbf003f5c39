package org.commvq.model.backend;

import java.util.List;

/**
 * The outcome of {@link BackendComparison#run}: per-step logit differences and greedy choices, and each side's
 * prefill and decode time. Step 0 is the prompt's logits; step i > 0 follows the i-th decode call.
 */
public record ComparisonResult(SessionInfo reference, SessionInfo candidate, int promptTokens, List<Step> steps,
                               long referencePrefillNanos, long candidatePrefillNanos, long referenceDecodeNanos,
                               long candidateDecodeNanos) {

    /**
     * @param maxAbsDiff   max over the vocabulary of |reference − candidate| logit
     * @param maxAbsLogit  max |reference logit|, the scale the difference is to be read against
     */
    public record Step(int step, int referenceToken, int candidateToken, double maxAbsDiff, double maxAbsLogit) {

        static Step of(int step, float[] reference, float[] candidate) {
            if (reference.length != candidate.length) {
                throw new IllegalStateException("the backends returned " + reference.length + " and "
                        + candidate.length + " logits");
            }
            double diff = 0;
            double scale = 0;
            for (int i = 0; i < reference.length; i++) {
                double d = Math.abs((double) reference[i] - candidate[i]);
                diff = Double.isNaN(d) || d > diff ? d : diff;
                scale = Math.max(scale, Math.abs(reference[i]));
            }
            return new Step(step, BackendComparison.argmax(reference), BackendComparison.argmax(candidate), diff,
                    scale);
        }

        public boolean agrees() {
            return referenceToken == candidateToken;
        }
    }

    public int decodeSteps() {
        return steps.size() - 1;
    }

    public double maxAbsDiff() {
        double max = 0;
        for (Step s : steps) {
            max = Double.isNaN(s.maxAbsDiff()) || s.maxAbsDiff() > max ? s.maxAbsDiff() : max;
        }
        return max;
    }

    public int agreeingSteps() {
        return (int) steps.stream().filter(Step::agrees).count();
    }

    /** Index of the first step whose greedy tokens differ, or −1. */
    public int firstDisagreement() {
        return steps.stream().filter(s -> !s.agrees()).mapToInt(Step::step).findFirst().orElse(-1);
    }

    public double referencePrefillTokensPerSecond() {
        return perSecond(promptTokens, referencePrefillNanos);
    }

    public double candidatePrefillTokensPerSecond() {
        return perSecond(promptTokens, candidatePrefillNanos);
    }

    public double referenceDecodeTokensPerSecond() {
        return perSecond(decodeSteps(), referenceDecodeNanos);
    }

    public double candidateDecodeTokensPerSecond() {
        return perSecond(decodeSteps(), candidateDecodeNanos);
    }

    private static double perSecond(int tokens, long nanos) {
        return nanos == 0 ? 0 : tokens * 1e9 / nanos;
    }
}
