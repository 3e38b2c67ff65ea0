package io.speculum.drafter.drafters;

import io.speculum.protocol.DraftRequest;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * Prompt lookup: drafts by finding the request's own latest tokens earlier in its context (prompt and completion)
 * and proposing what followed them there. No model, no state: the context travels in every request.
 *
 * <p>The longest suffix n-gram (up to {@link #maxNgram}) with an earlier occurrence wins, its most recent occurrence
 * first. A longer match is better evidence, so it may draft deeper: an n-gram match proposes at most 2<sup>n</sup>
 * tokens (1-gram matches, often coincidences, only two), and never more than the request's k. Drafts are point
 * masses, which keeps sampled verification exact.
 */
public final class NGramDrafter implements Drafter {

    public static final String NAME = "ngram";

    private final String name;
    private final String vocabulary;
    private final int maxNgram;

    public NGramDrafter(String vocabulary) {
        this(NAME, vocabulary, 4);
    }

    public NGramDrafter(String name, String vocabulary, int maxNgram) {
        if (maxNgram < 1) {
            throw new IllegalArgumentException("maxNgram must be >= 1, got " + maxNgram);
        }
        this.name = name;
        this.vocabulary = vocabulary;
        this.maxNgram = maxNgram;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String vocabulary() {
        return vocabulary;
    }

    @Override
    public CompletableFuture<Draft> propose(DraftRequest request) {
        return CompletableFuture.completedFuture(new Draft(lookup(request.state().tokens(), request.maxDraftTokens(), maxNgram),
                java.util.List.of()));
    }

    /** The continuation of the longest, most recent earlier match of a suffix of {@code tokens}; empty if none. */
    static int[] lookup(int[] tokens, int k, int maxNgram) {
        int length = tokens.length;
        for (int n = Math.min(maxNgram, length - 1); n >= 1 && k > 0; n--) {
            // earlier occurrences end before the last token, so at least one token follows them
            for (int end = length - 1; end >= n; end--) {
                if (Arrays.equals(tokens, end - n, end, tokens, length - n, length)) {
                    int depth = Math.min(k, n >= 5 ? Integer.MAX_VALUE : 1 << n);
                    return Arrays.copyOfRange(tokens, end, Math.min(length, end + depth));
                }
            }
        }
        return new int[0];
    }
}
