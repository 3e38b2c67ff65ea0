package io.speculum.cascade.calibration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class AnswerAgreementTest {

    @Test
    void firstSentenceSkipsPunctuationThatOnlyClosesThePrompt() {
        assertThat(AnswerAgreement.firstSentence(". She was happy. Then")).isEqualTo("She was happy.");
        assertThat(AnswerAgreement.firstSentence(" He ran! She sat.")).isEqualTo("He ran!");
        assertThat(AnswerAgreement.firstSentence(" no end here")).isEqualTo("no end here");
    }

    @Test
    void f1CountsOverlapAsAMultiset() {
        // answer: the cat saw the dog (5), reference: the dog saw a cat (5); overlap the, cat, saw, dog = 4
        assertThat(AnswerAgreement.firstSentenceF1(" The cat saw the dog.", " the dog saw a cat. More")).isCloseTo(0.8, within(1e-12));
        // "the" twice in the answer, once in the reference: counted once; precision 2/3, recall 2/2
        assertThat(AnswerAgreement.firstSentenceF1("the the dog.", "the dog.")).isCloseTo(0.8, within(1e-12));
        assertThat(AnswerAgreement.firstSentenceF1("Lily ran.", "Tom sat.")).isZero();
        assertThat(AnswerAgreement.firstSentenceF1("", "")).isEqualTo(1);
    }
}
