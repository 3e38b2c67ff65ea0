package io.speculum.gateway.openai;

import io.speculum.gateway.GatewayProperties;
import io.speculum.gateway.TemplateModel;
import io.speculum.llama.ChatMessage;
import io.speculum.llama.ChatTemplates;
import io.speculum.llama.LlamaException;
import io.speculum.llama.Model;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Renders chats into prompts with llama.cpp's templates: the template model's own template when its GGUF has one
 * (read vocabulary-only, no weights), otherwise the configured built-in template. None of the test models has one.
 */
@Component
class ChatRenderer {

    private static final Logger LOG = LoggerFactory.getLogger(ChatRenderer.class);

    private final String fallback;
    private final Model templateModel;

    ChatRenderer(GatewayProperties properties, TemplateModel template) {
        this.fallback = properties.chatTemplate();
        this.templateModel = template.model().orElse(null);
        // fail at start, not on the first chat, when the built-in template is unknown
        ChatTemplates.apply(fallback, List.of(new ChatMessage("user", "hi")), true);
        LOG.info("Chats are rendered with {}", templateModel != null && templateModel.metadata().chatTemplate().isPresent()
                ? "the template of " + properties.templateModel().getFileName() : "the built-in template '" + fallback + "'");
    }

    String render(List<ChatMessage> messages) {
        try {
            return templateModel == null
                    ? ChatTemplates.apply(fallback, messages, true)
                    : ChatTemplates.render(templateModel, messages, true, fallback).prompt();
        } catch (LlamaException e) {
            throw ApiException.invalid("messages", "cannot render the chat: " + e.getMessage());
        }
    }
}
