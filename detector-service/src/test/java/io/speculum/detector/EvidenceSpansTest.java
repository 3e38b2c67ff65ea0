package io.speculum.detector;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class EvidenceSpansTest {

    @Test
    void picksTheHighestNonOverlappingPositiveWindowsBestFirst() {
        double[] c = {0, 1, 1, 0, -5, 0, 3, 0, 0, -1, 0.5, 0.5};
        List<EvidenceSpans.Span> spans = EvidenceSpans.top(c, 3, 3);
        assertThat(spans).extracting(EvidenceSpans.Span::first).containsExactly(5, 0); // nothing else positive is left
        assertThat(spans.getFirst().sum()).isEqualTo(3.0);
        assertThat(spans.get(1).sum()).isEqualTo(2.0);
        assertThat(spans).allSatisfy(s -> assertThat(s.last() - s.first()).isEqualTo(2));
    }

    @Test
    void shortTextsGiveOneSpanAndNegativeEvidenceNone() {
        assertThat(EvidenceSpans.top(new double[] {0.2, 0.3}, 8, 3)).containsExactly(new EvidenceSpans.Span(0, 1, 0.5));
        assertThat(EvidenceSpans.top(new double[] {-1, -2, -3}, 2, 3)).isEmpty();
        assertThat(EvidenceSpans.top(new double[0], 8, 3)).isEmpty();
    }
}
