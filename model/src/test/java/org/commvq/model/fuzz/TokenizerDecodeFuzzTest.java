package org.commvq.model.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.commvq.cache.fuzz.ReaderContract;
import org.commvq.cache.fuzz.RegressionMode;
import org.commvq.model.load.LoadedModel;
import org.commvq.model.load.ModelLoader;
import org.commvq.model.tokenizer.ByteLevel;
import org.commvq.model.tokenizer.Llama3Tokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Decoding arbitrary id arrays, as a sampler bug or a hostile caller would pass them: ids outside the vocabulary are
 * refused with an IllegalArgumentException naming the id, any sequence of valid ids decodes (bytes that are not UTF-8
 * become U+FFFD), and the streaming decoder, fed one id at a time, yields exactly what decode yields for the whole
 * sequence. Two vocabularies: the shipped model's, and a small hostile one (every single byte, characters outside the
 * byte-level map, a lone surrogate, an empty and a missing entry, added tokens).
 *
 * <p>Long run: {@code JAZZER_FUZZ=1 ./mvn25 -pl model -am test -Dtest=TokenizerDecodeFuzzTest#decode
 * -Djazzer.max_executions=1000000 -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class TokenizerDecodeFuzzTest {
    private static final Llama3Tokenizer SHIPPED = shipped();
    private static final Llama3Tokenizer HOSTILE = hostile();

    @BeforeAll
    static void replayWithoutHooks() {
        RegressionMode.withoutHooks();
    }

    @FuzzTest(maxDuration = "2h")
    void decode(FuzzedDataProvider data) {
        Llama3Tokenizer tokenizer = SHIPPED != null && data.consumeBoolean() ? SHIPPED : HOSTILE;
        int n = data.consumeInt(0, 64);
        boolean anyId = data.consumeBoolean();
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = anyId ? data.consumeInt() : data.consumeInt(0, tokenizer.vocabSize() - 1);
        }
        check(tokenizer, ids);
    }

    @Test
    @Timeout(60)
    void seededIdArrays() {
        Random r = new Random(0x746f6b65L);
        for (int run = 0; run < 20_000; run++) {
            Llama3Tokenizer tokenizer = SHIPPED != null && r.nextBoolean() ? SHIPPED : HOSTILE;
            int[] ids = new int[r.nextInt(24)];
            boolean anyId = r.nextInt(8) == 0;
            for (int i = 0; i < ids.length; i++) {
                ids[i] = anyId ? r.nextInt() : r.nextInt(tokenizer.vocabSize());
            }
            check(tokenizer, ids);
        }
    }

    private static void check(Llama3Tokenizer tokenizer, int[] ids) {
        String whole;
        try {
            whole = tokenizer.decode(ids);
        } catch (IllegalArgumentException e) {
            for (int id : ids) {
                if (id < 0 || id >= tokenizer.vocabSize()) {
                    ReaderContract.requireClean(e, IllegalArgumentException.class);
                    return;
                }
            }
            throw new AssertionError("refused ids that are all inside the vocabulary", e);
        }
        Llama3Tokenizer.StreamDecoder stream = tokenizer.streamDecoder();
        StringBuilder streamed = new StringBuilder();
        for (int id : ids) {
            streamed.append(stream.next(id));
        }
        streamed.append(stream.finish());
        assertEquals(whole, streamed.toString(), "streamed and whole decoding differ");
    }

    /** The shipped model's vocabulary, from the repository's models folder; null where it is absent. */
    private static Llama3Tokenizer shipped() {
        Path model = Path.of("").toAbsolutePath();
        while (model != null && !Files.isRegularFile(model.resolve("models/tiny-llama-29m-q8_0.gguf"))) {
            model = model.getParent();
        }
        if (model == null) {
            return null;
        }
        try (LoadedModel m = ModelLoader.load(model.resolve("models/tiny-llama-29m-q8_0.gguf"))) {
            return m.tokenizer();
        }
    }

    private static Llama3Tokenizer hostile() {
        List<String> tokens = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            tokens.add(String.valueOf(ByteLevel.charOf(b)));
        }
        tokens.addAll(List.of("ĠĠ", "Ġthe", "€", "😀", "\uD800", "é", "ðŁĺ", "", "\u0000x"));
        tokens.add(null);
        tokens.addAll(List.of("<|begin_of_text|>", "<|eot_id|>", "<user>"));
        int[] types = new int[tokens.size()];
        Arrays.fill(types, 1);
        types[types.length - 3] = Llama3Tokenizer.TOKEN_TYPE_CONTROL;
        types[types.length - 2] = Llama3Tokenizer.TOKEN_TYPE_CONTROL;
        types[types.length - 1] = Llama3Tokenizer.TOKEN_TYPE_USER_DEFINED;
        return Llama3Tokenizer.fromVocabulary(tokens, List.of("Ġ Ġ", "Ġ t"), types, tokens.size() - 3,
                tokens.size() - 2);
    }
}
