package org.commvq.model.eval;

import java.util.List;
import org.commvq.model.collect.CorpusSplit;

/**
 * The held-out text of tiny-llama-29m's training (its README): each corpus file was cut at line boundaries into 10
 * parts of equal line count, and the last 2 % of the lines of each part were kept out of training. Reproduced to the
 * byte: lines are split on '\n', part i holds lines ⌊i·n/10⌋ .. ⌊(i+1)·n/10⌋, the held-out count is 0.02·m rounded
 * half to even (Python's round), and each held-out piece is stripped of surrounding whitespace and ends with one
 * '\n'. The byte counts this gives (Austen 84,657, Brown 162,425, Paul Graham 13,096) are the ones behind the
 * README's bits per byte. Its token counts are 10 higher than this text's (Austen 22,642 against 22,632) because
 * its validation stream ends each piece with an end-of-text token, which is scored too.
 */
public final class ValidationSplit {

    private ValidationSplit() {
    }

    /** The 10 held-out pieces, in file order. */
    public static List<String> pieces(String text) {
        return CorpusSplit.parts(text).stream().map(CorpusSplit.Part::validation).toList();
    }

    /** The held-out pieces joined: the validation text of one corpus file. */
    public static String extract(String text) {
        return CorpusSplit.validation(text);
    }
}
