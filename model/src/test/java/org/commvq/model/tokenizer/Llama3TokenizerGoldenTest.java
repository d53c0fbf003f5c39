package org.commvq.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ids of the four golden prompts come from HF tokenizers; both factories must reproduce them exactly. */
class Llama3TokenizerGoldenTest {

    private static JsonNode golden() throws IOException {
        return new ObjectMapper().readTree(SharedFixtures.tinyModel().resolve("golden.json").toFile());
    }

    private static int[] ids(JsonNode prompt) {
        int[] ids = new int[prompt.get("ids").size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = prompt.get("ids").get(i).intValue();
        }
        return ids;
    }

    @Test
    void tokenizerJsonMatchesGoldenIds() throws IOException {
        JsonNode golden = golden();
        Llama3Tokenizer tok = Llama3Tokenizer.fromTokenizerJson(SharedFixtures.tinyModel().resolve("tokenizer.json"));
        assertEquals(4096, tok.vocabSize());
        assertEquals(3838, tok.mergeCount());
        assertEquals(golden.get("bos_id").intValue(), tok.bos());
        assertEquals(golden.get("eos_id").intValue(), tok.eos());
        assertEquals(4, golden.get("prompts").size());
        for (JsonNode p : golden.get("prompts")) {
            String text = p.get("text").textValue();
            assertArrayEquals(ids(p), tok.encode(text, true), p.get("name").textValue());
            assertEquals(text, tok.decode(tok.encode(text, true), 1, ids(p).length), p.get("name").textValue());
        }
    }

    /** The GGUF route: tokenizer.ggml.tokens, "a b" merges and token types as the F16 GGUF stores them. */
    @Test
    void ggufVocabularyMatchesGoldenIds() throws IOException {
        Path dir = SharedFixtures.tinyModel();
        MiniGguf gguf = new MiniGguf(dir.resolve("tiny-llama-29m-f16.gguf"));
        List<String> tokens = gguf.array("tokenizer.ggml.tokens").stream().map(String.class::cast).toList();
        List<String> merges = gguf.array("tokenizer.ggml.merges").stream().map(String.class::cast).toList();
        int[] types = gguf.array("tokenizer.ggml.token_type").stream().mapToInt(Integer.class::cast).toArray();
        JsonNode golden = golden();
        Llama3Tokenizer tok = Llama3Tokenizer.fromVocabulary(tokens, merges, types, golden.get("bos_id").intValue(),
                golden.get("eos_id").intValue());
        Llama3Tokenizer fromJson = Llama3Tokenizer.fromTokenizerJson(dir.resolve("tokenizer.json"));
        assertEquals(fromJson.vocabularyHash(), tok.vocabularyHash());
        assertEquals(3838, tok.mergeCount());
        assertTrue(tok.isControl(0) && tok.isControl(1) && !tok.isControl(2));
        for (JsonNode p : golden.get("prompts")) {
            assertArrayEquals(ids(p), tok.encode(p.get("text").textValue(), true), p.get("name").textValue());
        }
    }
}
