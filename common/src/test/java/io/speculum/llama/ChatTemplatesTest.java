package io.speculum.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChatTemplatesTest {

    private static final List<ChatMessage> CHAT = List.of(
            new ChatMessage("system", "You tell short stories."),
            new ChatMessage("user", "Tell me about a cat."));

    @Test
    void modelsWithoutATemplateUseTheConfiguredBuiltInOne() {
        try (Model model = Model.load(ModelOptions.vocabularyOnly(TestModels.model(TestModels.STORIES_260K)))) {
            assertThat(model.metadata().chatTemplate()).isEmpty();
            RenderedChat chat = ChatTemplates.render(model, CHAT, true, "chatml");
            assertThat(chat.fallback()).isTrue();
            assertThat(chat.template()).isEqualTo("chatml");
            assertThat(chat.prompt()).isEqualTo("""
                    <|im_start|>system
                    You tell short stories.<|im_end|>
                    <|im_start|>user
                    Tell me about a cat.<|im_end|>
                    <|im_start|>assistant
                    """);
        }
    }

    @Test
    void anotherBuiltInTemplateRendersDifferently() {
        String llama2 = ChatTemplates.apply("llama2", CHAT, true);
        assertThat(llama2).contains("[INST]").contains("Tell me about a cat.").doesNotContain("<|im_start|>");
    }

    @Test
    void withoutAssistantPromptTheChatEndsAfterTheLastMessage() {
        String rendered = ChatTemplates.apply("chatml", CHAT, false);
        assertThat(rendered).endsWith("Tell me about a cat.<|im_end|>\n");
    }

    @Test
    void unknownTemplatesAndEmptyChatsAreRefused() {
        assertThatThrownBy(() -> ChatTemplates.apply("no-such-template", CHAT, true))
                .isInstanceOf(LlamaException.class)
                .hasMessageContaining("does not support the chat template");
        try (Model model = Model.load(ModelOptions.vocabularyOnly(TestModels.model(TestModels.STORIES_260K)))) {
            assertThatThrownBy(() -> ChatTemplates.render(model, List.of(), true, "chatml"))
                    .isInstanceOf(LlamaException.class)
                    .hasMessageContaining("at least one message");
        }
    }
}
