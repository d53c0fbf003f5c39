package org.commvq.model.tokenizer;

import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits text into the pieces that BPE encodes one by one, with the Llama 3 split regex ("Split, Isolated": matches
 * and any text between them are pieces). The regex is the one in Llama 3's tokenizer.json, character for character;
 * UNICODE_CHARACTER_CLASS gives Java's {@code \s} and case folding the Unicode meaning that Oniguruma (used by HF
 * tokenizers) gives them: {@code \s} is White_Space, not just ASCII blanks.
 */
final class Llama3PreTokenizer {
    static final String REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private static final Pattern PATTERN = Pattern.compile(REGEX, Pattern.UNICODE_CHARACTER_CLASS);

    private Llama3PreTokenizer() {
    }

    static void split(String text, Consumer<String> piece) {
        Matcher m = PATTERN.matcher(text);
        int last = 0;
        while (m.find()) {
            if (m.start() > last) {
                piece.accept(text.substring(last, m.start()));
            }
            piece.accept(m.group());
            last = m.end();
        }
        if (last < text.length()) {
            piece.accept(text.substring(last));
        }
    }
}
