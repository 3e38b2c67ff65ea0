package io.speculum.detector.data;

import io.speculum.llama.LlamaException;
import io.speculum.llama.Vocabulary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The TinyStories corpus as stories (a story starts at each paragraph that opens with "Once upon a time"; the text
 * before the first such paragraph is the tail of a story and is dropped) grouped into shelves of {@link #PER_SHELF}
 * consecutive stories. Shelves go to splits 1 : 2 : 2 (train : calibrate : evaluate), so a human window, which may
 * run from one story into the next on its shelf, never mixes splits, and an opening is continued only in its
 * story's split. Human windows start at sentence starts (a story's first one among them), and machine texts
 * continue the opening of such windows, so where a text starts tells nothing about who wrote it.
 */
public final class Stories {

    public static final int PER_SHELF = 4;
    /** Tokens of the "first tokens" opening (Fast-DetectGPT's protocol prompts with the first 30 tokens). */
    public static final int OPENING_TOKENS = 30;

    private static final Pattern SENTENCE_END = Pattern.compile("[.!?][\"”']?\\s+");

    /** A story: its number in the corpus and its paragraphs joined by single spaces. */
    public record Story(int number, String text) {

        public int shelf() {
            return number / PER_SHELF;
        }

        public Split split() {
            return splitOfShelf(shelf());
        }
    }

    private Stories() {
    }

    public static List<Story> of(String corpus) {
        List<Story> out = new ArrayList<>();
        StringBuilder story = null;
        for (String paragraph : HumanBlocks.paragraphs(corpus)) {
            if (paragraph.startsWith("Once upon a time")) {
                if (story != null) {
                    out.add(new Story(out.size(), story.toString()));
                }
                story = new StringBuilder(paragraph);
            } else if (story != null) {
                story.append(' ').append(paragraph);
            }
        }
        if (story != null) {
            out.add(new Story(out.size(), story.toString()));
        }
        return out;
    }

    static Split splitOfShelf(int shelf) {
        return switch (shelf % 5) {
            case 0 -> Split.TRAIN;
            case 1, 2 -> Split.CALIBRATE;
            default -> Split.EVALUATE;
        };
    }

    /**
     * The human opening a machine text continues, from the start of a human window: its first sentence for even
     * {@code index}, its first {@value #OPENING_TOKENS} tokens of {@code vocabulary} (possibly inside a word) for odd.
     */
    public static String opening(String text, int index, Vocabulary vocabulary) {
        if (index % 2 == 0) {
            Matcher end = SENTENCE_END.matcher(text);
            return end.find() ? text.substring(0, end.end()).strip() : text;
        }
        return cut(text, vocabulary, OPENING_TOKENS);
    }

    /** The text of the first {@code tokens} tokens of {@code text} (all of it when shorter); null if it cannot be spelled. */
    public static String cut(String text, Vocabulary vocabulary, int tokens) {
        int[] all;
        try {
            all = vocabulary.tokenize(text);
        } catch (LlamaException e) {
            return null;
        }
        int bos = vocabulary.specialTokens().addBos() ? 1 : 0;
        return vocabulary.detokenize(Arrays.copyOf(all, Math.min(all.length, bos + tokens))).strip();
    }

    /** Tokens of {@code text} after BOS. */
    public static int length(String text, Vocabulary vocabulary) {
        return vocabulary.tokenize(text).length - (vocabulary.specialTokens().addBos() ? 1 : 0);
    }

    /**
     * Windows of exactly {@code tokens} tokens over a shelf's stories (joined in order), each starting at a sentence
     * start at least {@code strideTokens} (estimated from the shelf's characters per token) after the previous one.
     */
    public static List<String> windows(List<Story> shelf, Vocabulary vocabulary, int tokens, int strideTokens) {
        String text = String.join(" ", shelf.stream().map(Story::text).toList());
        double charsPerToken = text.length() / (double) Math.max(1, length(text, vocabulary));
        int stride = (int) Math.round(strideTokens * charsPerToken);
        List<String> out = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            String window = cut(text.substring(start), vocabulary, tokens);
            if (window == null || length(window, vocabulary) < tokens - 2) { // re-tokenising a cut may merge a token or two
                break;
            }
            out.add(window);
            Matcher next = SENTENCE_END.matcher(text);
            if (start + stride >= text.length() || !next.find(start + stride)) {
                break;
            }
            start = next.end();
        }
        return out;
    }
}
