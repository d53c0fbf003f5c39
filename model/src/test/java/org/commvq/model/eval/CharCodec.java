package org.commvq.model.eval;

/** One token per character (code + 2), BOS 0: prompts can be checked by eye and lengths counted by hand. */
final class CharCodec implements TextCodec {

    @Override
    public int bos() {
        return 0;
    }

    @Override
    public int[] encode(String text) {
        return text.chars().map(c -> c + 2).toArray();
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            sb.append(id < 2 ? "" : Character.toString(id - 2));
        }
        return sb.toString();
    }
}
