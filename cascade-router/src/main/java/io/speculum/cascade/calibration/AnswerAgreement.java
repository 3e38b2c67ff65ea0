package io.speculum.cascade.calibration;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Quality of an answer as its agreement with a reference answer: the token-level F1 (SQuAD-style: lower-cased
 * words, overlap counted as a multiset) of the two answers' first sentences.
 */
public final class AnswerAgreement {

    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}']+");

    private AnswerAgreement() {
    }

    /**
     * The text up to and including the first {@code .}, {@code !} or {@code ?} that ends a sentence with a word in it
     * (punctuation that only closes the prompt's sentence is skipped); all of it where there is none.
     */
    public static String firstSentence(String text) {
        String t = text.strip();
        int start = 0;
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c == '.' || c == '!' || c == '?') {
                String sentence = t.substring(start, i + 1);
                if (WORD.matcher(sentence).find()) {
                    return sentence.strip();
                }
                start = i + 1;
            }
        }
        return t.substring(start).strip();
    }

    public static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        Matcher m = WORD.matcher(text.toLowerCase(Locale.ROOT));
        while (m.find()) {
            words.add(m.group());
        }
        return words;
    }

    /** F1 of the word multisets; 1 when both are empty, 0 when one is. */
    public static double f1(List<String> answer, List<String> reference) {
        if (answer.isEmpty() || reference.isEmpty()) {
            return answer.isEmpty() && reference.isEmpty() ? 1 : 0;
        }
        Map<String, Integer> counts = new HashMap<>();
        reference.forEach(w -> counts.merge(w, 1, Integer::sum));
        int overlap = 0;
        for (String w : answer) {
            Integer left = counts.get(w);
            if (left != null && left > 0) {
                overlap++;
                counts.put(w, left - 1);
            }
        }
        if (overlap == 0) {
            return 0;
        }
        double precision = (double) overlap / answer.size();
        double recall = (double) overlap / reference.size();
        return 2 * precision * recall / (precision + recall);
    }

    public static double firstSentenceF1(String answer, String reference) {
        return f1(words(firstSentence(answer)), words(firstSentence(reference)));
    }
}
