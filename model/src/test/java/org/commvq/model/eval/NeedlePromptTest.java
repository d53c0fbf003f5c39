package org.commvq.model.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class NeedlePromptTest {
    private static final CharCodec CODEC = new CharCodec();
    private static final String FILLER = "The grass is green. The sky is blue. The sun is yellow. Here we go.\n";
    private static final Haystack HAYSTACK = Haystack.of(FILLER.repeat(3), CODEC);
    private static final Pattern KEY = Pattern.compile("The pass key is (\\d{5})\\. Remember it\\. (\\d{5}) is the"
            + " pass key\\.");

    @Test
    void promptHasTheRequestedLengthAndLayout() {
        Needle needle = Needle.passKey("48213");
        NeedlePrompt p = NeedlePrompt.build(CODEC, NeedleTask.PASSKEY_PREAMBLE, HAYSTACK, 0, needle, 504, 0.5);
        assertEquals(504, p.ids().length);
        assertEquals(0, p.ids()[0]);
        String text = CODEC.decode(p.ids());
        assertTrue(text.startsWith(NeedleTask.PASSKEY_PREAMBLE + "The grass is green."), text);
        assertTrue(text.endsWith("\nWhat is the pass key? The pass key is"), text);
        Matcher m = KEY.matcher(text);
        assertTrue(m.find(), text);
        assertEquals("48213", m.group(1));
        assertEquals("48213", m.group(2));
        String fromNeedle = CODEC.decode(Arrays.copyOfRange(p.ids(), p.needleAt(), p.ids().length));
        assertTrue(fromNeedle.startsWith(" The pass key is 48213.") || fromNeedle.startsWith("The pass key is 48213."),
                fromNeedle);
        int fixed = 1 + NeedleTask.PASSKEY_PREAMBLE.length() + (" " + needle.statement()).length()
                + ("\n" + needle.question()).length();
        assertEquals(504 - fixed, p.haystackTokens());
    }

    @Test
    void needleGoesToASentenceBoundaryNearTheRequestedDepth() {
        int longestSentence = 20;
        for (double depth : new double[] {0, 0.25, 0.5, 0.75, 1}) {
            for (int start : new int[] {0, 68, 136}) {
                NeedlePrompt p = NeedlePrompt.build(CODEC, "", HAYSTACK, start, Needle.passKey("12345"), 400, depth);
                assertTrue(Math.abs(p.depth() - depth) * p.haystackTokens() <= longestSentence / 2.0 + 1,
                        "depth " + depth + " became " + p.depth());
                String before = CODEC.decode(Arrays.copyOfRange(p.ids(), 1, p.needleAt()));
                String after = CODEC.decode(Arrays.copyOfRange(p.ids(), p.needleAt(), p.ids().length));
                if (before.isEmpty() || before.endsWith("\n")) {
                    assertTrue(after.startsWith("The pass key is 12345. Remember it. 12345 is the pass key.\n"), after);
                } else {
                    assertTrue(before.endsWith("."), before);
                    assertTrue(after.startsWith(" The pass key is 12345."), after);
                }
            }
        }
        NeedlePrompt first = NeedlePrompt.build(CODEC, "", HAYSTACK, 0, Needle.passKey("12345"), 400, 0);
        assertEquals(1, first.needleAt());
    }

    @Test
    void needlesGoAfterSentencesAndParagraphsButNotAfterWrappedLinesOrTitles() {
        String text = "Mr. Allen met Dr. Watson and J. Smith in\nthe town. They talked.\n\nNext day\nthey left!";
        Haystack h = Haystack.of(text, CODEC);
        StringBuilder marked = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            marked.append(i > 0 && h.boundaryNear(0, text.length(), i) == i ? "|" : "").append(text.charAt(i));
        }
        assertEquals("Mr. Allen met Dr. Watson and J. Smith in\nthe town.| They talked.|\n|\n|Next day\nthey left!",
                marked.toString());
        assertTrue(Haystack.endsSentence("said he.\u201d\n"));
        assertFalse(Haystack.endsSentence("said he. "));
        assertFalse(Haystack.endsSentence(" Mrs."));
        assertTrue(Haystack.endsParagraph(".\n \n"));
        assertFalse(Haystack.endsParagraph("in\n"));
    }

    @Test
    void answersAreScoredByThePassKeyProtocol() {
        Needle n = Needle.passKey("48213");
        assertTrue(n.answeredBy(" 48213. Rem"));
        assertTrue(n.answeredBy("48213"));
        assertFalse(n.answeredBy(" 4821"));
        assertFalse(n.answeredBy(" the 48213"));
        Needle fact = Needle.birthYear("Victoria", "Oxford", 1863);
        assertEquals("In which year was Victoria born? Victoria was born in Oxford in the year", fact.question());
        assertTrue(fact.answeredBy(" 1863.The"));
        assertTrue(fact.answeredBy(" about 1863"));
        assertFalse(fact.answeredBy(" 1836."));
    }

    @Test
    void tooShortALengthIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> NeedlePrompt.build(CODEC, NeedleTask.PASSKEY_PREAMBLE,
                HAYSTACK, 0, Needle.passKey("12345"), 100, 0.5));
    }

    @Test
    void gridUsesSeededPromptsOfLengthLMinus8AndScoresAnswers() {
        int[] lengths = {300, 400};
        double[] depths = {0, 0.5, 1};
        RetrievalTest test = RetrievalTest.build(NeedleTask.passKey(), HAYSTACK, CODEC, lengths, depths, 3, 7);
        RetrievalTest again = RetrievalTest.build(NeedleTask.passKey(), HAYSTACK, CODEC, lengths, depths, 3, 7);
        for (int l = 0; l < 2; l++) {
            for (int t = 0; t < 3; t++) {
                assertEquals(lengths[l] - RetrievalTest.ANSWER_TOKENS, test.prompt(l, 1, t).ids().length);
                assertTrue(Arrays.equals(test.prompt(l, 1, t).ids(), again.prompt(l, 1, t).ids()));
            }
        }
        RetrievalGrid perfect = test.run(reader(true), CODEC, n -> { });
        assertEquals(1.0, perfect.mean());
        assertEquals(6, perfect.examples().size());
        RetrievalGrid wrong = test.run(reader(false), CODEC, n -> { });
        assertEquals(0.0, wrong.mean());
        int[] progress = {0};
        test.run(reader(true), CODEC, n -> progress[0] += n);
        assertEquals(test.promptCount(), progress[0]);
    }

    @Test
    void passKeysAreFiveDigits() {
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 1000; i++) {
            assertTrue(NeedleTask.passKey().draw().apply(r).answer().matches("[1-9]\\d{4}"));
        }
    }

    /** A model that reads the key from the prompt (or gets it wrong on purpose), 8 tokens long. */
    private static GreedyCompletion reader(boolean right) {
        return (prompt, maxNew) -> {
            assertEquals(RetrievalTest.ANSWER_TOKENS, maxNew);
            Matcher m = KEY.matcher(CODEC.decode(prompt));
            assertTrue(m.find());
            String key = right ? m.group(1) : "00000";
            return CODEC.encode((" " + key + ".  ").substring(0, maxNew));
        };
    }
}
