package org.commvq.model.eval;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * A kind of retrieval prompt: the text between BOS and the haystack, and how each trial draws its needle.
 *
 * @param preamble text after BOS, before the haystack ("" for none)
 * @param draw     the needle of one trial
 */
public record NeedleTask(String preamble, Function<SplittableRandom, Needle> draw) {
    /** The standard pass-key preamble, as in tiny-llama-29m's training and evaluation. */
    public static final String PASSKEY_PREAMBLE = "There is an important info hidden inside a lot of irrelevant text."
            + " Find it and memorize it. I will quiz you about the important information there.\n";

    private static final List<String> NAMES = List.of("Victoria", "Arthur", "Eleanor", "Henry", "Margaret",
            "Edmund", "Charlotte", "Frederick", "Louisa", "Walter");
    private static final List<String> PLACES = List.of("Oxford", "Bath", "Leeds", "York", "Bristol", "Dover",
            "Norwich", "Exeter", "Durham", "Chester");

    /** Random five-digit keys behind the standard preamble. */
    public static NeedleTask passKey() {
        return new NeedleTask(PASSKEY_PREAMBLE,
                r -> Needle.passKey(Integer.toString(r.nextInt(10_000, 100_000))));
    }

    /** Random "X was born in P in the year Y." facts without a preamble, the model's "fact" needles. */
    public static NeedleTask birthYears() {
        return new NeedleTask("", r -> Needle.birthYear(NAMES.get(r.nextInt(NAMES.size())),
                PLACES.get(r.nextInt(PLACES.size())), r.nextInt(1700, 2000)));
    }
}
