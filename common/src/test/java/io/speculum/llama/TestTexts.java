package io.speculum.llama;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;

/** Real text for tokenizer and decoding tests. */
final class TestTexts {

    /** Punctuation, digits, whitespace runs and multi-byte characters. */
    static final List<String> TRICKY = List.of(
            "Hello, world! How are you?",
            "Numbers: 0 1 12 123 1234 3.14159 -42 1e10",
            "Whitespace   runs\tand\ttabs    here",
            "Quotes \"double\" and 'single' (brackets) [square] {curly} <angle>",
            "Punctuation... !?;:-_/\\|@#$%^&*+=~`",
            "Multi-byte: café naïve Ünïcödé — “quotes” … 日本語 한국어 Ελληνικά",
            "Emoji: 😀 🚀 👍🏽 and done",
            "Line one\nLine two\n\nLine four");

    private TestTexts() {
    }

    /** Paragraphs of the TinyStories validation sample (blank-line separated). */
    static List<String> paragraphs(int limit) {
        try {
            String all = Files.readString(TestModels.data("tinystories/val-a.txt"));
            return Arrays.stream(all.split("\\n\\s*\\n"))
                    .map(String::strip)
                    .filter(p -> !p.isEmpty())
                    .limit(limit)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether {@code vocabulary} can spell {@code text} (SentencePiece vocabularies without byte tokens cannot spell everything). */
    static boolean spellable(Vocabulary vocabulary, String text) {
        try {
            vocabulary.checkSpellable(text, false);
            return true;
        } catch (LlamaException e) {
            return false;
        }
    }
}
