package io.speculum.detector.data;

import io.speculum.llama.Vocabulary;
import java.util.ArrayList;
import java.util.List;

/**
 * Human texts of about a generated sample's length: consecutive paragraphs of the corpus (blank-line separated),
 * joined until they reach {@code minTokens}; blocks longer than {@code maxTokens} are left out. Each block remembers
 * the paragraphs it holds, so prompts cut from a paragraph land in that block's split.
 */
public final class HumanBlocks {

    /** A block of paragraphs {@code [firstParagraph, lastParagraph]}. */
    public record Block(int number, int firstParagraph, int lastParagraph, String text, int tokens) {
    }

    private HumanBlocks() {
    }

    public static List<String> paragraphs(String corpus) {
        List<String> out = new ArrayList<>();
        for (String p : corpus.split("\\r?\\n\\s*\\r?\\n")) {
            String trimmed = p.strip().replaceAll("\\s*\\r?\\n\\s*", " ");
            if (!trimmed.isEmpty()) {
                out.add(trimmed);
            }
        }
        return out;
    }

    /** Every block in corpus order, numbered from 0, including those outside the length range (marked by tokens). */
    public static List<Block> blocks(List<String> paragraphs, Vocabulary vocabulary, int minTokens) {
        List<Block> out = new ArrayList<>();
        int first = 0;
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < paragraphs.size(); i++) {
            if (!text.isEmpty()) {
                text.append(' ');
            }
            text.append(paragraphs.get(i));
            int tokens = vocabulary.tokenize(text.toString()).length - 1;
            if (tokens >= minTokens || i == paragraphs.size() - 1) {
                out.add(new Block(out.size(), first, i, text.toString(), tokens));
                text.setLength(0);
                first = i + 1;
            }
        }
        return out;
    }
}
