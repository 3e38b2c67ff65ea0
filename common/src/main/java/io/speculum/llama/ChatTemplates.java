package io.speculum.llama;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import io.speculum.llama.LlamaException.Code;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Renders chats with llama.cpp's {@code llama_chat_apply_template}: the model's own template when its GGUF carries
 * one, otherwise a configured built-in template (e.g. "chatml", "llama2", "zephyr"). None of the small test models
 * has a template, so the fallback is what they use; callers report which one was applied.
 */
public final class ChatTemplates {

    /** Built-in template used when neither the model nor the configuration names one. */
    public static final String DEFAULT_FALLBACK = "chatml";

    private ChatTemplates() {
    }

    /**
     * @param addAssistantPrompt end with the opening of an assistant turn, so the model answers
     * @param fallbackTemplate   built-in template name for models without a template
     */
    public static RenderedChat render(Model model, List<ChatMessage> messages, boolean addAssistantPrompt, String fallbackTemplate) {
        if (messages.isEmpty()) {
            throw new LlamaException(Code.INVALID_ARGUMENT, "A chat needs at least one message");
        }
        var own = model.metadata().chatTemplate();
        if (own.isPresent()) {
            return new RenderedChat(apply(own.get(), messages, addAssistantPrompt), "model", false);
        }
        String name = fallbackTemplate == null || fallbackTemplate.isBlank() ? DEFAULT_FALLBACK : fallbackTemplate;
        return new RenderedChat(apply(name, messages, addAssistantPrompt), name, true);
    }

    /** Applies a template given by its Jinja text or a built-in name. */
    public static String apply(String template, List<ChatMessage> messages, boolean addAssistantPrompt) {
        LlamaLibrary lib = LlamaLibrary.get();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment chat = arena.allocate(NativeLayouts.CHAT_MESSAGE, messages.size());
            long textBytes = 0;
            for (int i = 0; i < messages.size(); i++) {
                ChatMessage m = messages.get(i);
                MemorySegment entry = chat.asSlice(i * NativeLayouts.CHAT_MESSAGE.byteSize(), NativeLayouts.CHAT_MESSAGE);
                entry.set(ADDRESS, 0, arena.allocateFrom(m.role()));
                entry.set(ADDRESS, ADDRESS.byteSize(), arena.allocateFrom(m.content()));
                textBytes += m.role().length() * 4L + m.content().length() * 4L;
            }
            MemorySegment tmpl = arena.allocateFrom(template);
            int capacity = (int) Math.min(Integer.MAX_VALUE - 8, textBytes * 2 + 512);
            while (true) {
                MemorySegment out = arena.allocate(capacity);
                int n = (int) lib.chatApplyTemplate.invokeExact(tmpl, chat, (long) messages.size(), addAssistantPrompt, out, capacity);
                if (n < 0) {
                    throw new LlamaException(Code.INVALID_ARGUMENT, "llama.cpp does not support the chat template "
                            + (template.length() > 60 ? template.substring(0, 60) + "…" : template));
                }
                if (n <= capacity) {
                    return new String(out.asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
                }
                capacity = n;
            }
        } catch (Throwable t) {
            throw LlamaException.wrap("llama_chat_apply_template", t);
        }
    }
}
