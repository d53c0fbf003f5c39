package org.commvq.model.eval;

/** Greedy continuation of a prompt that starts from an empty context: what retrieval tests ask of a model. */
public interface GreedyCompletion {

    /** The maxNew argmax tokens after the prompt, without stopping at an end token. */
    int[] complete(int[] prompt, int maxNew);
}
