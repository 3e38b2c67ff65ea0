package io.speculum.protocol.detection;

import java.util.List;

/**
 * The result for one text.
 *
 * @param index    the text's index in the request (or the stream record's, 0)
 * @param tokenCount tokens the observer read (its BOS included)
 * @param scores   one entry per method, in request order
 * @param decision the decision method's verdict (the calibrated method the service decides with); null without one
 * @param tokens   per-token evidence for the decision method, when the request asked for it
 * @param spans    the highest-scoring spans, best first, when the request asked for tokens
 */
public record TextDetection(int index, int tokenCount, List<MethodScore> scores, MethodScore decision,
                            List<TokenContribution> tokens, List<EvidenceSpan> spans) {

    public TextDetection {
        scores = List.copyOf(scores);
        tokens = tokens == null ? null : List.copyOf(tokens);
        spans = spans == null ? null : List.copyOf(spans);
    }
}
