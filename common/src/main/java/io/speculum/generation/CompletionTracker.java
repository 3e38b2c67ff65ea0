package io.speculum.generation;

import io.speculum.llama.StreamingDetokenizer;
import io.speculum.llama.Vocabulary;
import io.speculum.protocol.GenerationEvent.FinishReason;
import java.util.List;

/**
 * Follows the committed tokens of one generation and decides when it ends: an end-of-generation token, a stop string,
 * the token budget, or a full context. Produces the client's text deltas, UTF-8 safe and without stop strings.
 */
public final class CompletionTracker {

    /** Tokens of one round that count (those after an end are dropped), their text, and the end if reached. */
    public record Commit(int[] tokens, String text, FinishReason finish) {
    }

    private final Vocabulary vocabulary;
    private final StreamingDetokenizer detokenizer;
    private final StopStrings stops;
    private final int maxTokens;
    private final int contextSize;
    private int completionTokens;
    private int totalTokens;

    public CompletionTracker(Vocabulary vocabulary, List<String> stops, int promptTokens, int maxTokens, int contextSize) {
        this.vocabulary = vocabulary;
        this.detokenizer = StreamingDetokenizer.continuation(vocabulary);
        this.stops = new StopStrings(stops);
        this.maxTokens = maxTokens;
        this.contextSize = contextSize;
        this.totalTokens = promptTokens;
    }

    public Commit commit(int[] tokens) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < tokens.length; i++) {
            int token = tokens[i];
            if (vocabulary.isEndOfGeneration(token)) {
                text.append(stops.push(detokenizer.flush()).text()).append(stops.flush());
                return new Commit(java.util.Arrays.copyOf(tokens, i), text.toString(), FinishReason.STOP);
            }
            completionTokens++;
            totalTokens++;
            StopStrings.Emission emission = stops.push(detokenizer.push(token));
            text.append(emission.text());
            if (emission.stopped()) {
                return new Commit(java.util.Arrays.copyOf(tokens, i + 1), text.toString(), FinishReason.STOP);
            }
            FinishReason limit = completionTokens >= maxTokens ? FinishReason.LENGTH
                    : totalTokens >= contextSize ? FinishReason.CONTEXT : null;
            if (limit != null) {
                text.append(stops.push(detokenizer.flush()).text());
                text.append(stops.flush());
                return new Commit(java.util.Arrays.copyOf(tokens, i + 1), text.toString(), limit);
            }
        }
        return new Commit(tokens, text.toString(), null);
    }

    /** Held-back text when the generation ends for an outside reason (cancellation). */
    public String flush() {
        return stops.push(detokenizer.flush()).text() + stops.flush();
    }

    public int completionTokens() {
        return completionTokens;
    }
}
