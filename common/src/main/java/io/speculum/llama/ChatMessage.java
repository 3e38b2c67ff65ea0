package io.speculum.llama;

import java.util.Objects;

/** One message of a chat: role ("system", "user", "assistant", ...) and content. */
public record ChatMessage(String role, String content) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }
}
