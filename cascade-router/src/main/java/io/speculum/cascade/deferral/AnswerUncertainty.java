package io.speculum.cascade.deferral;

import io.speculum.protocol.GenerationEvent.TokenConfidence;
import java.util.Arrays;
import java.util.List;

/**
 * The small model's per-token statistics over its whole answer, what every deferral rule reads: the chosen tokens'
 * log-probabilities, the distributions' entropies and top-2 margins (natural logs, one entry per answer token).
 */
public record AnswerUncertainty(double[] logProbs, double[] entropies, double[] margins) {

    public AnswerUncertainty {
        if (logProbs.length != entropies.length || logProbs.length != margins.length) {
            throw new IllegalArgumentException("one log-probability, entropy and margin per token: got " + logProbs.length
                    + ", " + entropies.length + ", " + margins.length);
        }
        logProbs = logProbs.clone();
        entropies = entropies.clone();
        margins = margins.clone();
    }

    public static AnswerUncertainty of(List<TokenConfidence> confidence) {
        return new AnswerUncertainty(confidence.stream().mapToDouble(TokenConfidence::logProb).toArray(),
                confidence.stream().mapToDouble(TokenConfidence::entropy).toArray(),
                confidence.stream().mapToDouble(TokenConfidence::margin).toArray());
    }

    /** Answer tokens. */
    public int length() {
        return logProbs.length;
    }

    public boolean isEmpty() {
        return logProbs.length == 0;
    }

    public double[] logProbs() {
        return logProbs.clone();
    }

    public double[] entropies() {
        return entropies.clone();
    }

    public double[] margins() {
        return margins.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof AnswerUncertainty o && Arrays.equals(logProbs, o.logProbs)
                && Arrays.equals(entropies, o.entropies) && Arrays.equals(margins, o.margins);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(logProbs) * 31 + Arrays.hashCode(entropies);
    }

    @Override
    public String toString() {
        return "AnswerUncertainty[" + length() + " tokens]";
    }
}
