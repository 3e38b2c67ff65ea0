package io.speculum.detector.scoring;

import java.util.List;

/**
 * The evidence of every predicted token of one text, in order.
 *
 * @param tokens        one entry per predicted token (the first token of a text has no prediction)
 * @param withReference whether a second (reference) observer contributed the cross statistics
 */
public record TextEvidence(List<TokenEvidence> tokens, boolean withReference) {

    public TextEvidence {
        tokens = List.copyOf(tokens);
    }

    public int size() {
        return tokens.size();
    }

    public TokenEvidence get(int i) {
        return tokens.get(i);
    }
}
