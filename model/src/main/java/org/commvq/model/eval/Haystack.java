package org.commvq.model.eval;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * Filler text as token ids, read as an endless loop, with the places a needle may go: after the end of a sentence
 * or of a paragraph. Plain line ends do not count, because prose such as Austen's or Paul Graham's is wrapped at
 * about 70 characters and its line ends fall mid-sentence. Slices start at line starts, so a haystack never opens in
 * the middle of a word.
 */
public final class Haystack {
    /** Characters before a token that decide whether a needle may go there. */
    private static final int LOOK_BACK = 16;
    /** A full stop after these is not a sentence end. */
    private static final Pattern ABBREVIATION = Pattern.compile("(?:^|[^\\p{L}])(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|\\p{Lu})\\.$");

    private final int[] ids;
    private final boolean[] boundaryBefore;
    private final boolean[] lineStart;
    private final int[] lineStarts;

    private Haystack(int[] ids, boolean[] boundaryBefore, boolean[] lineStart) {
        this.ids = ids;
        this.boundaryBefore = boundaryBefore;
        this.lineStart = lineStart;
        this.lineStarts = IntStream.range(0, ids.length).filter(i -> lineStart[i]).toArray();
    }

    public static Haystack of(String text, TextCodec codec) {
        int[] ids = codec.encode(text);
        if (ids.length == 0) {
            throw new IllegalArgumentException("the haystack text (--haystack, --essays) is empty");
        }
        // The text as the tokens spell it, so a boundary is judged on the characters before a token, however
        // the tokenizer split them.
        Map<Integer, String> pieces = new HashMap<>();
        StringBuilder spelled = new StringBuilder();
        int[] offset = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            offset[i] = spelled.length();
            spelled.append(pieces.computeIfAbsent(ids[i], id -> codec.decode(new int[] {id})));
        }
        boolean[] boundary = new boolean[ids.length];
        boolean[] lineStart = new boolean[ids.length];
        boundary[0] = true;
        lineStart[0] = true;
        for (int i = 1; i < ids.length; i++) {
            String before = spelled.substring(Math.max(0, offset[i] - LOOK_BACK), offset[i]);
            lineStart[i] = before.endsWith("\n");
            boundary[i] = endsParagraph(before) || endsSentence(before);
        }
        return new Haystack(ids, boundary, lineStart);
    }

    /** A blank line: at least two line ends, with nothing but white space after the last text. */
    static boolean endsParagraph(String text) {
        String t = text.stripTrailing();
        return text.endsWith("\n") && text.substring(t.length()).chars().filter(c -> c == '\n').count() >= 2;
    }

    /**
     * '.', '!' or '?', then perhaps closing quotes or brackets and line ends, but not "Mr." or an initial. Spaces
     * after the mark stay with the next sentence, so the needle goes before them.
     */
    static boolean endsSentence(String text) {
        int end = text.length();
        while (end > 0 && "\r\n\"'\u201d\u2019)]".indexOf(text.charAt(end - 1)) >= 0) {
            end--;
        }
        return end > 0 && ".!?".indexOf(text.charAt(end - 1)) >= 0
                && !ABBREVIATION.matcher(text.substring(0, end)).find();
    }

    /** A line start chosen uniformly. */
    public int randomStart(SplittableRandom random) {
        return lineStarts[random.nextInt(lineStarts.length)];
    }

    /** {@code length} tokens from {@code start}, wrapping around the end of the text. */
    public int[] slice(int start, int length) {
        int[] out = new int[length];
        for (int i = 0; i < length; i++) {
            out[i] = ids[(start + i) % ids.length];
        }
        return out;
    }

    /** Whether offset i of a slice from {@code start} begins a line. */
    public boolean lineStartAt(int start, int i) {
        return lineStart[(start + i) % ids.length];
    }

    /**
     * The offset within {@code slice(start, length)} nearest to {@code target} at which a needle may go: after a
     * sentence or paragraph end, or at the very start. Ties go to the earlier offset.
     */
    public int boundaryNear(int start, int length, int target) {
        int best = 0;
        for (int i = 1; i <= length; i++) {
            if (boundaryBefore[(start + i) % ids.length] && Math.abs(i - target) < Math.abs(best - target)) {
                best = i;
            }
        }
        return best;
    }
}
