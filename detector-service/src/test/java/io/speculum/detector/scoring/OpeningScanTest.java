package io.speculum.detector.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpeningScanTest {

    /** A token the model found as likely as its mean ({@code log p = μ}): no evidence either way. */
    private static TokenEvidence neutral(int index) {
        return new TokenEvidence(index, 0, -2.0, 1, 2.0, -2.0, 1.0, -2.0, 1.0);
    }

    /** A token far below the model's mean: human-looking. */
    private static TokenEvidence surprising(int index) {
        return new TokenEvidence(index, 0, -6.0, 40, 2.0, -2.0, 1.0, -2.0, 1.0);
    }

    /** A token above the model's mean: machine-looking. */
    private static TokenEvidence likely(int index) {
        return new TokenEvidence(index, 0, -1.0, 0, 2.0, -2.0, 1.0, -2.0, 1.0);
    }

    private static TextEvidence text(int opening, int rest) {
        List<TokenEvidence> tokens = new ArrayList<>();
        for (int i = 0; i < opening; i++) {
            tokens.add(surprising(i + 1));
        }
        for (int i = 0; i < rest; i++) {
            tokens.add(likely(opening + i + 1));
        }
        return new TextEvidence(tokens, false);
    }

    @Test
    void skipsAHumanOpeningOfUpToAQuarterAtTheNextStep() {
        OpeningScan scan = new OpeningScan(FastDetectGpt.whiteBox());
        TextEvidence text = text(14, 86); // 100 tokens: starts 0, 8, 16, 24 are tried
        assertThat(scan.bestStart(text)).isEqualTo(16);
        double suffix = FastDetectGpt.whiteBox().score(new TextEvidence(text.tokens().subList(16, 100), false));
        assertThat(scan.score(text)).isCloseTo(suffix, within(1e-12)).isGreaterThan(FastDetectGpt.whiteBox().score(text));
    }

    @Test
    void anOpeningLongerThanAQuarterIsNotSkippedWhole() {
        TextEvidence text = text(40, 60);
        assertThat(new OpeningScan(FastDetectGpt.whiteBox()).bestStart(text)).isEqualTo(24);
    }

    @Test
    void neverScoresBelowTheWholeTextAndKeepsTheMachineDirection() {
        ScoringFixtures fixtures = new ScoringFixtures(7, 90, 64);
        TextEvidence text = fixtures.evidence(false);
        for (TextScore method : List.of(FastDetectGpt.whiteBox(), new Binoculars())) {
            OpeningScan scan = new OpeningScan(method);
            assertThat(scan.name()).isEqualTo(method.name() + "-scan");
            assertThat(scan.machineDirection()).isEqualTo(1);
            assertThat(scan.score(text)).isGreaterThanOrEqualTo(method.oriented(text));
        }
    }

    @Test
    void contributionsAreTheChosenSuffixsAndAddUpToTheScore() {
        OpeningScan scan = new OpeningScan(new Binoculars()); // lower is machine: contributions are oriented
        List<TokenEvidence> tokens = new ArrayList<>(text(10, 50).tokens());
        tokens.set(30, neutral(31));
        TextEvidence text = new TextEvidence(tokens, false);
        double[] c = scan.contributions(text);
        int start = scan.bestStart(text);
        assertThat(start).isEqualTo(8);
        for (int i = 0; i < start; i++) {
            assertThat(c[i]).isZero();
        }
        double sum = 0;
        for (double v : c) {
            sum += v;
        }
        assertThat(sum).isCloseTo(scan.score(text), within(1e-9));
    }

    @Test
    void shortTextsAreScoredWhole() {
        TextEvidence text = text(2, 5);
        OpeningScan scan = new OpeningScan(FastDetectGpt.whiteBox());
        assertThat(scan.bestStart(text)).isZero();
        assertThat(scan.score(text)).isEqualTo(FastDetectGpt.whiteBox().score(text));
    }
}
