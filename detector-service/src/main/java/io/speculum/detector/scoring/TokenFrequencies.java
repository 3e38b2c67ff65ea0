package io.speculum.detector.scoring;

/**
 * How often each token occurs in a reference corpus, tokenised by the observer whose vocabulary
 * {@code vocabularyFingerprint} names. Built by the {@code frequencies} command, read by {@link DcPdd}.
 *
 * @param counts occurrences per token id
 * @param total  the sum of {@code counts}
 */
public record TokenFrequencies(String vocabularyFingerprint, String source, long total, long[] counts) {

    public TokenFrequencies {
        if (counts == null || counts.length == 0) {
            throw new IllegalArgumentException("a frequency table needs one count per token of the vocabulary");
        }
        long sum = 0;
        for (long c : counts) {
            if (c < 0) {
                throw new IllegalArgumentException("token counts must not be negative");
            }
            sum += c;
        }
        if (sum != total) {
            throw new IllegalArgumentException("the counts sum to " + sum + ", not the stated total " + total);
        }
    }

    /** Counts {@code tokenised} texts' tokens (BOS/EOS included as the tokenizer adds them). */
    public static TokenFrequencies count(String vocabularyFingerprint, String source, int vocabularySize, Iterable<int[]> tokenised) {
        long[] counts = new long[vocabularySize];
        long total = 0;
        for (int[] tokens : tokenised) {
            for (int t : tokens) {
                counts[t]++;
                total++;
            }
        }
        return new TokenFrequencies(vocabularyFingerprint, source, total, counts);
    }

    public int vocabularySize() {
        return counts.length;
    }

    /** Laplace-smoothed relative frequency {@code (count + 1) / (total + V)}: never 0, so its log is finite. */
    public double frequency(int token) {
        return (counts[token] + 1.0) / (total + counts.length);
    }
}
