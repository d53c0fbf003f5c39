package org.commvq.model.tokenizer;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Turns a conversation into prompt ids. With the Llama 3 chat markers in the vocabulary this is the Llama 3 instruct
 * format:
 * <pre>{@code <|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n{sys}<|eot_id|>
 * <|start_header_id|>user<|end_header_id|>\n\n{msg}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n}</pre>
 * (without the line break). A base-model vocabulary without those markers gets a plain-text fallback,
 * {@code "User: {msg}\nAssistant:"}, and {@link #fallbackNotice()} says so.
 *
 * <p>Message text is always encoded with special tokens off, so a user cannot forge a turn marker. Contents are
 * trimmed, as Llama 3's own template does.
 */
public final class ChatTemplate {
    private static final String START_HEADER = "<|start_header_id|>";
    private static final String END_HEADER = "<|end_header_id|>";
    private static final String END_OF_TURN = "<|eot_id|>";

    private final Llama3Tokenizer tokenizer;
    private final int startHeader;
    private final int endHeader;
    private final int endOfTurn;
    private final boolean llama3;

    private ChatTemplate(Llama3Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
        OptionalInt start = tokenizer.specialId(START_HEADER);
        OptionalInt end = tokenizer.specialId(END_HEADER);
        OptionalInt eot = tokenizer.specialId(END_OF_TURN);
        this.llama3 = start.isPresent() && end.isPresent() && eot.isPresent();
        this.startHeader = start.orElse(-1);
        this.endHeader = end.orElse(-1);
        this.endOfTurn = eot.orElse(-1);
    }

    public static ChatTemplate of(Llama3Tokenizer tokenizer) {
        return new ChatTemplate(tokenizer);
    }

    /** True for the Llama 3 instruct format, false for the plain-text fallback. */
    public boolean isLlama3() {
        return llama3;
    }

    /** A line for the user when the fallback is in use, empty otherwise. */
    public Optional<String> fallbackNotice() {
        return llama3 ? Optional.empty() : Optional.of("the vocabulary has no " + START_HEADER + "/" + END_HEADER
                + "/" + END_OF_TURN + " tokens (not an instruct model), so chat uses a plain \"User: ...\\n"
                + "Assistant:\" prompt");
    }

    /** BOS, every message, then the opening of the assistant's reply. */
    public int[] prompt(List<ChatMessage> conversation) {
        IntList out = new IntList();
        if (tokenizer.bos() >= 0) {
            out.add(tokenizer.bos());
        }
        if (llama3) {
            for (ChatMessage m : conversation) {
                appendMessage(m, out);
            }
            appendAssistantHeader(out);
        } else {
            StringBuilder text = new StringBuilder();
            for (ChatMessage m : conversation) {
                text.append(m.role().label()).append(": ").append(m.content().strip()).append('\n');
            }
            out.addAll(tokenizer.encode(text.append(ChatMessage.Role.ASSISTANT.label()).append(':').toString(), false));
        }
        return out.toArray();
    }

    /**
     * The ids that follow an assistant reply in the model's context when the user answers: the end of the reply, the
     * user's message and the opening of the next reply. It assumes the stop token that ended the reply was not fed
     * to the model, which is how a generation loop stops.
     */
    public int[] nextTurn(String userMessage) {
        IntList out = new IntList();
        if (llama3) {
            out.add(endOfTurn);
            appendMessage(ChatMessage.user(userMessage), out);
            appendAssistantHeader(out);
        } else {
            out.addAll(tokenizer.encode("\n" + ChatMessage.Role.USER.label() + ": " + userMessage.strip() + "\n"
                    + ChatMessage.Role.ASSISTANT.label() + ":", false));
        }
        return out.toArray();
    }

    /** Whether {@code id} ends the assistant's reply. */
    public boolean isStop(int id) {
        return tokenizer.isEndOfText(id);
    }

    /**
     * Text that ends the reply although no stop token came: the fallback model has no end-of-turn token and tends to
     * go on writing the user's next line.
     */
    public List<String> stopTexts() {
        return llama3 ? List.of() : List.of("\n" + ChatMessage.Role.USER.label() + ":");
    }

    private void appendMessage(ChatMessage m, IntList out) {
        out.add(startHeader);
        out.addAll(tokenizer.encode(m.role().header(), false));
        out.add(endHeader);
        out.addAll(tokenizer.encode("\n\n" + m.content().strip(), false));
        out.add(endOfTurn);
    }

    private void appendAssistantHeader(IntList out) {
        out.add(startHeader);
        out.addAll(tokenizer.encode(ChatMessage.Role.ASSISTANT.header(), false));
        out.add(endHeader);
        out.addAll(tokenizer.encode("\n\n", false));
    }
}
