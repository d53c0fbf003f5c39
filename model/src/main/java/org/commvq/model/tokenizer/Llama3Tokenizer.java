package org.commvq.model.tokenizer;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Llama 3 tokenizer: byte-level BPE with the Llama 3 split regex and {@code ignore_merges}, built either from an
 * HF {@code tokenizer.json} or from GGUF vocabulary metadata. Safe to use from several threads.
 */
public final class Llama3Tokenizer {
    /** GGUF token_type of control tokens (BOS, EOS, chat markers). */
    public static final int TOKEN_TYPE_CONTROL = 3;
    /** GGUF token_type of user-defined tokens, matched in text like added tokens. */
    public static final int TOKEN_TYPE_USER_DEFINED = 4;

    private static final List<String> END_TOKENS = List.of("<|end_of_text|>", "<|eot_id|>", "<|eom_id|>");

    private final String[] tokens;
    private final byte[][] tokenBytes;
    private final boolean[] control;
    private final Map<String, Integer> addedIds = new HashMap<>();
    private final BytePairEncoder bpe;
    private final Pattern allAdded;
    private final Pattern plainAdded;
    private final boolean[] endOfText;
    private final int bos;
    private final int eos;

    Llama3Tokenizer(String[] tokens, Map<String, Integer> vocab, List<String[]> merges, boolean ignoreMerges,
                    List<AddedToken> added, int bos, int eos) {
        this.tokens = tokens;
        this.bos = bos;
        this.eos = eos;
        this.bpe = new BytePairEncoder(vocab, merges, ignoreMerges);
        this.control = new boolean[tokens.length];
        this.tokenBytes = new byte[tokens.length][];
        boolean[] literal = new boolean[tokens.length];
        for (AddedToken a : added) {
            control[a.id()] = a.special();
            literal[a.id()] = true;
            addedIds.put(a.content(), a.id());
        }
        for (int id = 0; id < tokens.length; id++) {
            // Added tokens are stored as their text, not in the byte-level spelling of ordinary entries.
            tokenBytes[id] = tokens[id] == null ? new byte[0]
                    : literal[id] ? tokens[id].getBytes(StandardCharsets.UTF_8) : ByteLevel.decode(tokens[id]);
        }
        this.allAdded = alternation(added, true);
        this.plainAdded = alternation(added, false);
        this.endOfText = new boolean[tokens.length];
        if (eos >= 0 && eos < tokens.length) {
            endOfText[eos] = true;
        }
        for (String name : END_TOKENS) {
            Integer id = addedIds.get(name);
            if (id != null) {
                endOfText[id] = true;
            }
        }
    }

    /** Reads an HF {@code tokenizer.json}; errors name the file. */
    public static Llama3Tokenizer fromTokenizerJson(Path tokenizerJson) {
        return TokenizerJson.read(tokenizerJson);
    }

    /**
     * Builds the tokenizer from GGUF metadata: {@code tokenizer.ggml.tokens}, {@code tokenizer.ggml.merges}
     * ({@code "a b"} strings in rank order) and {@code tokenizer.ggml.token_type} (null: all normal). Like llama.cpp's
     * {@code llama-bpe}, a piece that is a whole vocabulary entry is taken as it is.
     */
    public static Llama3Tokenizer fromVocabulary(List<String> tokens, List<String> merges, int[] tokenTypes, int bos,
                                                 int eos) {
        if (tokenTypes != null && tokenTypes.length != tokens.size()) {
            throw new IllegalArgumentException("token_type has " + tokenTypes.length + " entries for "
                    + tokens.size() + " tokens");
        }
        String[] byId = tokens.toArray(String[]::new);
        Map<String, Integer> vocab = new HashMap<>();
        List<AddedToken> added = new ArrayList<>();
        for (int id = 0; id < byId.length; id++) {
            int type = tokenTypes == null ? 1 : tokenTypes[id];
            if (type == TOKEN_TYPE_CONTROL || type == TOKEN_TYPE_USER_DEFINED) {
                added.add(new AddedToken(id, byId[id], type == TOKEN_TYPE_CONTROL));
            } else {
                vocab.putIfAbsent(byId[id], id);
            }
        }
        List<String[]> pairs = new ArrayList<>(merges.size());
        for (String m : merges) {
            int space = m.indexOf(' ');
            if (space <= 0 || space != m.lastIndexOf(' ') || space == m.length() - 1) {
                throw new IllegalArgumentException("merge '" + m + "' is not two tokens separated by one space");
            }
            pairs.add(new String[] {m.substring(0, space), m.substring(space + 1)});
        }
        return new Llama3Tokenizer(byId, vocab, pairs, true, added, bos, eos);
    }

    private static Pattern alternation(List<AddedToken> added, boolean includeSpecial) {
        List<String> contents = new ArrayList<>();
        for (AddedToken a : added) {
            if (includeSpecial || !a.special()) {
                contents.add(a.content());
            }
        }
        if (contents.isEmpty()) {
            return null;
        }
        // Longest first, so a token that is a prefix of another never wins.
        contents.sort(Comparator.comparingInt(String::length).reversed());
        StringBuilder regex = new StringBuilder();
        for (String c : contents) {
            regex.append(regex.isEmpty() ? "" : "|").append(Pattern.quote(c));
        }
        return Pattern.compile(regex.toString());
    }

    /** Encodes text; special tokens written in the text are encoded as ordinary text. */
    public int[] encode(String text, boolean addBos) {
        return encode(text, addBos, false);
    }

    /**
     * @param allowSpecial match control tokens such as {@code <|eot_id|>} written in the text; leave false for text
     *                     from users
     */
    public int[] encode(String text, boolean addBos, boolean allowSpecial) {
        IntList out = new IntList();
        if (addBos) {
            if (bos < 0) {
                throw new IllegalStateException("this vocabulary has no beginning-of-text token");
            }
            out.add(bos);
        }
        Pattern added = allowSpecial ? allAdded : plainAdded;
        if (added == null) {
            encodeOrdinary(text, out);
            return out.toArray();
        }
        Matcher m = added.matcher(text);
        int last = 0;
        while (m.find()) {
            encodeOrdinary(text.substring(last, m.start()), out);
            out.add(addedIds.get(m.group()));
            last = m.end();
        }
        encodeOrdinary(text.substring(last), out);
        return out.toArray();
    }

    private void encodeOrdinary(String text, IntList out) {
        if (!text.isEmpty()) {
            Llama3PreTokenizer.split(text, piece -> bpe.encode(piece, out));
        }
    }

    /** The ids' text; bytes that do not form valid UTF-8 become U+FFFD. */
    public String decode(int[] ids) {
        return decode(ids, 0, ids.length);
    }

    public String decode(int[] ids, int from, int to) {
        int size = 0;
        for (int i = from; i < to; i++) {
            size += bytes(ids[i]).length;
        }
        byte[] all = new byte[size];
        int n = 0;
        for (int i = from; i < to; i++) {
            byte[] b = bytes(ids[i]);
            System.arraycopy(b, 0, all, n, b.length);
            n += b.length;
        }
        return new String(all, StandardCharsets.UTF_8);
    }

    /** The raw bytes a token stands for (a token may hold part of a multi-byte character). */
    public byte[] bytes(int id) {
        checkId(id);
        return tokenBytes[id].clone();
    }

    /** The vocabulary string of a token, as tokenizer.json and GGUF spell it (byte-level, e.g. "Ġthe"). */
    public String token(int id) {
        checkId(id);
        return tokens[id];
    }

    /** The id of an added token such as {@code <|eot_id|>}, if the vocabulary has it. */
    public OptionalInt specialId(String content) {
        Integer id = addedIds.get(content);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    public boolean isControl(int id) {
        checkId(id);
        return control[id];
    }

    /** EOS and the Llama 3 turn and message ends: the tokens that end a generation. */
    public boolean isEndOfText(int id) {
        return id >= 0 && id < endOfText.length && endOfText[id];
    }

    public int vocabSize() {
        return tokens.length;
    }

    public int mergeCount() {
        return bpe.mergeCount();
    }

    /** Beginning-of-text id, or -1 when the vocabulary has none. */
    public int bos() {
        return bos;
    }

    /** End-of-text id, or -1 when the vocabulary has none. */
    public int eos() {
        return eos;
    }

    /**
     * SHA-256 (hex) of the token strings in id order, each followed by a NUL byte: the same for a GGUF file and the HF
     * checkpoint it was converted from, and different for any other vocabulary.
     */
    public String vocabularyHash() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String t : tokens) {
                sha.update((t == null ? "" : t).getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    public StreamDecoder streamDecoder() {
        return new StreamDecoder();
    }

    private void checkId(int id) {
        if (id < 0 || id >= tokens.length) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + tokens.length
                    + " tokens");
        }
    }

    /**
     * Turns generated ids into text as they come, holding back the bytes of a character that is split across tokens
     * until it is complete. The concatenation of every {@link #next} and {@link #finish} equals {@link #decode} of all
     * the ids. Not thread-safe: one per generation.
     */
    public final class StreamDecoder {
        private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        private ByteBuffer pending = ByteBuffer.allocate(16);
        private final CharBuffer chars = CharBuffer.allocate(1024);
        private final StringBuilder text = new StringBuilder();

        private StreamDecoder() {
        }

        /** The text that token {@code id} completes; empty while a character is still incomplete. */
        public String next(int id) {
            checkId(id);
            byte[] b = tokenBytes[id];
            if (pending.remaining() < b.length) {
                ByteBuffer bigger = ByteBuffer.allocate(pending.position() + b.length + 16);
                pending.flip();
                bigger.put(pending);
                pending = bigger;
            }
            pending.put(b);
            return drain(false);
        }

        /** Whatever is still held back, an incomplete character showing as U+FFFD; the decoder is then reset. */
        public String finish() {
            String rest = drain(true);
            utf8.reset();
            return rest;
        }

        private String drain(boolean end) {
            pending.flip();
            text.setLength(0);
            while (true) {
                CoderResult result = utf8.decode(pending, chars, end);
                flushChars();
                if (!result.isOverflow()) {
                    break;
                }
            }
            if (end) {
                while (utf8.flush(chars).isOverflow()) {
                    flushChars();
                }
                flushChars();
            }
            pending.compact();
            return text.toString();
        }

        private void flushChars() {
            chars.flip();
            text.append(chars);
            chars.clear();
        }
    }
}
