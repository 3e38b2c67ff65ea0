package io.speculum.detector;

import io.speculum.llama.Model;
import io.speculum.llama.VocabularyFingerprint;
import io.speculum.protocol.detection.DetectionError;

/**
 * The model that scores texts and, optionally, a second one sharing its vocabulary: the reference (Binoculars'
 * observer, Fast-DetectGPT's sampling model). Pairs whose vocabulary fingerprints differ are refused: their logits
 * rows index different tokens, so every cross statistic would be meaningless.
 *
 * @param name what replies call this setup, e.g. {@code stories260K} or {@code stories260K+stories260K-q8_0}
 */
public record Observers(Model scoring, Model reference, String name) {

    public static Observers single(Model scoring, String name) {
        return new Observers(scoring, null, name);
    }

    public static Observers pair(Model scoring, Model reference, String name) {
        VocabularyFingerprint a = scoring.vocabulary().fingerprint();
        VocabularyFingerprint b = reference.vocabulary().fingerprint();
        if (!a.matches(b)) {
            throw new DetectionException(DetectionError.Code.VOCABULARY_MISMATCH, "the observers "
                    + scoring.options().path().getFileName() + " (" + a + ") and " + reference.options().path().getFileName()
                    + " (" + b + ") do not share a vocabulary; Binoculars and Fast-DetectGPT with a sampling model need one");
        }
        return new Observers(scoring, reference, name);
    }

    public boolean paired() {
        return reference != null;
    }

    public VocabularyFingerprint fingerprint() {
        return scoring.vocabulary().fingerprint();
    }
}
