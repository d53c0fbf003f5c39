package org.commvq.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChatTemplateTest {
    private static final List<String> SPECIALS = List.of("<|begin_of_text|>", "<|end_of_text|>",
            "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>");

    /** 256 byte tokens, a few merges, then the Llama 3 control tokens. */
    private static Llama3Tokenizer llama3Style() {
        List<String> tokens = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            tokens.add(String.valueOf(ByteLevel.charOf(b)));
        }
        List<String> merges = List.of("u s", "us e", "use r", "Ċ Ċ", "a s", "as s", "ass i", "assi s", "assis t",
                "assist a", "assista n", "assistan t", "Ġ H", "H i");
        for (String m : merges) {
            tokens.add(m.replace(" ", ""));
        }
        int firstSpecial = tokens.size();
        tokens.addAll(SPECIALS);
        int[] types = new int[tokens.size()];
        Arrays.fill(types, 1);
        Arrays.fill(types, firstSpecial, types.length, Llama3Tokenizer.TOKEN_TYPE_CONTROL);
        return Llama3Tokenizer.fromVocabulary(tokens, merges, types, firstSpecial, firstSpecial + 1);
    }

    @Test
    void llama3FormatEqualsTokenizingTheRenderedText() {
        Llama3Tokenizer tok = llama3Style();
        ChatTemplate chat = ChatTemplate.of(tok);
        assertTrue(chat.isLlama3());
        assertTrue(chat.fallbackNotice().isEmpty());
        List<ChatMessage> conversation = List.of(ChatMessage.system(" Be brief. "), ChatMessage.user("Hi user"),
                ChatMessage.assistant("Hello!"), ChatMessage.user("Who are you?\n"));
        String rendered = "<|begin_of_text|>"
                + "<|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHi user<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nWho are you?<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n";
        int[] ids = chat.prompt(conversation);
        assertArrayEquals(tok.encode(rendered, false, true), ids);
        assertEquals(rendered, tok.decode(ids));
        int eot = tok.specialId("<|eot_id|>").orElseThrow();
        assertEquals(4, Arrays.stream(ids).filter(id -> id == eot).count());
        assertTrue(chat.isStop(eot));
        assertTrue(chat.isStop(tok.eos()));
        assertFalse(chat.isStop(tok.bos()));
        assertTrue(chat.stopTexts().isEmpty());
    }

    @Test
    void nextTurnContinuesAConversation() {
        Llama3Tokenizer tok = llama3Style();
        ChatTemplate chat = ChatTemplate.of(tok);
        int[] first = chat.prompt(List.of(ChatMessage.user("Hi")));
        int[] reply = tok.encode("Hello!", false);
        int[] next = chat.nextTurn("Again");
        int[] whole = chat.prompt(List.of(ChatMessage.user("Hi"), ChatMessage.assistant("Hello!"),
                ChatMessage.user("Again")));
        int[] joined = new int[first.length + reply.length + next.length];
        System.arraycopy(first, 0, joined, 0, first.length);
        System.arraycopy(reply, 0, joined, first.length, reply.length);
        System.arraycopy(next, 0, joined, first.length + reply.length, next.length);
        assertArrayEquals(whole, joined);
    }

    @Test
    void tinyVocabularyFallsBackToPlainText() {
        Llama3Tokenizer tok = Llama3Tokenizer.fromTokenizerJson(SharedFixtures.tinyModel().resolve("tokenizer.json"));
        ChatTemplate chat = ChatTemplate.of(tok);
        assertFalse(chat.isLlama3());
        assertTrue(chat.fallbackNotice().orElseThrow().contains("plain"));
        int[] ids = chat.prompt(List.of(ChatMessage.system("Be brief."), ChatMessage.user(" Hi there ")));
        assertEquals(0, ids[0]);
        assertEquals("<|begin_of_text|>System: Be brief.\nUser: Hi there\nAssistant:", tok.decode(ids));
        assertArrayEquals(tok.encode("System: Be brief.\nUser: Hi there\nAssistant:", true), ids);
        assertEquals("\nUser: more\nAssistant:", tok.decode(chat.nextTurn("more")));
        assertEquals(List.of("\nUser:"), chat.stopTexts());
        assertTrue(chat.isStop(1));
    }
}
