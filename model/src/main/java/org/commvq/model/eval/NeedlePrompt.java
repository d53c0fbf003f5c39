package org.commvq.model.eval;

/**
 * One retrieval prompt: BOS, preamble, haystack with the needle inserted at a sentence or paragraph boundary near
 * the requested depth, then a newline and the question. It is exactly the requested number of tokens; pieces are
 * tokenized separately and joined as ids, so the length never depends on how the tokenizer merges across them.
 * Within a line the needle follows a space, as in the model's training documents; at the start of a line it ends
 * with a line break instead, so the text after it still starts a line.
 *
 * @param ids            the prompt
 * @param needle         what it hides
 * @param needleAt       index in {@code ids} of the needle's first token
 * @param haystackTokens haystack tokens around the needle
 * @param depth          where the needle went: haystack tokens before it / haystack tokens
 */
public record NeedlePrompt(int[] ids, Needle needle, int needleAt, int haystackTokens, double depth) {

    public static NeedlePrompt build(TextCodec codec, String preamble, Haystack haystack, int start, Needle needle,
                                     int length, double depth) {
        if (!(depth >= 0 && depth <= 1)) {
            throw new IllegalArgumentException("--depths must be in [0, 1], got " + depth);
        }
        int[] pre = codec.encode(preamble);
        int[] question = codec.encode("\n" + needle.question());
        int[] inLine = codec.encode(" " + needle.statement());
        int[] ownLine = codec.encode(needle.statement() + "\n");
        int fixed = 1 + pre.length + question.length;
        int h = length - fixed - Math.max(inLine.length, ownLine.length);
        if (h < 0) {
            throw new IllegalArgumentException("--lengths: a prompt of " + length + " tokens cannot hold the preamble,"
                    + " needle and question (" + (length - h) + " tokens)");
        }
        int at = haystack.boundaryNear(start, h, (int) Math.round(depth * h));
        boolean lineStart = at == 0 ? preamble.isEmpty() || preamble.endsWith("\n") : haystack.lineStartAt(start, at);
        int[] needleIds = lineStart ? ownLine : inLine;
        h = length - fixed - needleIds.length;
        int[] hay = haystack.slice(start, h);
        int[] ids = new int[length];
        int n = 0;
        ids[n++] = codec.bos();
        n = put(ids, n, pre, 0, pre.length);
        n = put(ids, n, hay, 0, at);
        int needleAt = n;
        n = put(ids, n, needleIds, 0, needleIds.length);
        n = put(ids, n, hay, at, h - at);
        put(ids, n, question, 0, question.length);
        return new NeedlePrompt(ids, needle, needleAt, h, h == 0 ? 0 : (double) at / h);
    }

    private static int put(int[] dst, int at, int[] src, int from, int n) {
        System.arraycopy(src, from, dst, at, n);
        return at + n;
    }
}
