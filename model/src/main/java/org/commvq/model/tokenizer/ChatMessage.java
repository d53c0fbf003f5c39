package org.commvq.model.tokenizer;

/** One turn of a conversation. */
public record ChatMessage(Role role, String content) {
    public enum Role {
        SYSTEM("system", "System"), USER("user", "User"), ASSISTANT("assistant", "Assistant");

        private final String header;
        private final String label;

        Role(String header, String label) {
            this.header = header;
            this.label = label;
        }

        /** The role as Llama 3 writes it between the header markers. */
        public String header() {
            return header;
        }

        /** The role as the plain-text template writes it before the colon. */
        public String label() {
            return label;
        }
    }

    public ChatMessage {
        if (role == null || content == null) {
            throw new IllegalArgumentException("a chat message needs a role and content");
        }
    }

    public static ChatMessage system(String content) {
        return new ChatMessage(Role.SYSTEM, content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage(Role.USER, content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage(Role.ASSISTANT, content);
    }
}
