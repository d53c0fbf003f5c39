package org.commvq.model.eval;

/**
 * A fact hidden in a haystack and the question that asks for it, in the forms tiny-llama-29m was trained on: the
 * question ends where the answer starts, so greedy decoding answers it.
 *
 * @param statement the sentence inserted into the haystack
 * @param question  the text after the haystack, ending just before the answer
 * @param answer    what a correct continuation holds
 * @param match     how a continuation is checked against the answer
 */
public record Needle(String statement, String question, String answer, Match match) {

    public enum Match {
        /** The continuation, leading whitespace removed, starts with the answer (the pass-key protocol). */
        PREFIX,
        /** The answer appears anywhere in the continuation. */
        CONTAINS
    }

    public static Needle passKey(String key) {
        return new Needle("The pass key is " + key + ". Remember it. " + key + " is the pass key.",
                "What is the pass key? The pass key is", key, Match.PREFIX);
    }

    public static Needle birthYear(String name, String place, int year) {
        return new Needle(name + " was born in " + place + " in the year " + year + ".",
                "In which year was " + name + " born? " + name + " was born in " + place + " in the year",
                Integer.toString(year), Match.CONTAINS);
    }

    public boolean answeredBy(String continuation) {
        return switch (match) {
            case PREFIX -> continuation.stripLeading().startsWith(answer);
            case CONTAINS -> continuation.contains(answer);
        };
    }
}
