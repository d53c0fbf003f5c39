package org.commvq.model.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * GPT-2's reversible byte↔character map: byte-level BPE vocabularies spell every byte as a printable character, so
 * that vocabulary strings never contain spaces or control characters (a space is 'Ġ', a newline 'Ċ').
 */
public final class ByteLevel {
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        Arrays.fill(CHAR_TO_BYTE, -1);
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = (char) (printable ? b : next++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevel() {
    }

    public static char charOf(int unsignedByte) {
        return BYTE_TO_CHAR[unsignedByte];
    }

    /** The byte-level spelling of a text's UTF-8 bytes, as it appears in the vocabulary. */
    static String encode(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        char[] chars = new char[utf8.length];
        for (int i = 0; i < utf8.length; i++) {
            chars[i] = BYTE_TO_CHAR[utf8[i] & 0xFF];
        }
        return new String(chars);
    }

    /**
     * The bytes a vocabulary string stands for. A character outside the map (only possible in hand-added tokens)
     * stands for its own UTF-8 bytes.
     */
    static byte[] decode(String token) {
        byte[] out = new byte[token.length() * 4];
        int n = 0;
        for (int i = 0; i < token.length(); ) {
            int cp = token.codePointAt(i);
            int b = cp < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[cp] : -1;
            if (b >= 0) {
                out[n++] = (byte) b;
            } else {
                byte[] raw = Character.toString(cp).getBytes(StandardCharsets.UTF_8);
                System.arraycopy(raw, 0, out, n, raw.length);
                n += raw.length;
            }
            i += Character.charCount(cp);
        }
        return Arrays.copyOf(out, n);
    }
}
