package io.speculum.detector;

import io.speculum.detector.scoring.TokenEvidence;
import io.speculum.detector.scoring.TokenEvidenceCalculator;
import java.util.List;

/**
 * One decode's contributed predictions, row by row: the text, token and index each row scores, both observers'
 * rows, and the evidence once computed.
 */
record RoundEvidence(int[] text, int[] token, int[] index, ObserverRows scoring, ObserverRows reference, TokenEvidence[] evidence) {

    int size() {
        return evidence.length;
    }

    /** Evidence of rows {@code from … to}; the parts of one round may run on different threads. */
    void compute(int from, int to) {
        float[][] scoringScratch = scoring.scratch();
        float[][] referenceScratch = reference == null ? null : reference.scratch();
        for (int first = from; first < to; first += ObserverRows.GROUP) {
            int count = Math.min(ObserverRows.GROUP, to - first);
            float[][] scoringRows = scoring.group(first, count, scoringScratch);
            float[][] referenceRows = reference == null ? null : reference.group(first, count, referenceScratch);
            for (int k = 0; k < count; k++) {
                int r = first + k;
                evidence[r] = TokenEvidenceCalculator.of(scoringRows[k], referenceRows == null ? null : referenceRows[k], token[r], index[r]);
            }
        }
    }

    /** Which text, token and index each contributed row of {@code round} scores. */
    static RoundEvidence plan(List<int[]> texts, List<TextScorer.Segment> round, ObserverRows scoringRows, ObserverRows referenceRows) {
        int total = 0;
        for (TextScorer.Segment segment : round) {
            total += segment.contributed();
        }
        int[] text = new int[total];
        int[] token = new int[total];
        int[] index = new int[total];
        int r = 0;
        for (TextScorer.Segment segment : round) {
            Windows.Window w = segment.window();
            for (int i = w.firstIndex(); i < w.start() + w.length(); i++, r++) {
                text[r] = segment.text();
                token[r] = texts.get(segment.text())[i];
                index[r] = i;
            }
        }
        return new RoundEvidence(text, token, index, scoringRows, referenceRows, new TokenEvidence[total]);
    }
}
