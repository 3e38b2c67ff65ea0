package io.speculum.llama;

import java.util.Objects;

/**
 * Identity of a vocabulary: equal fingerprints mean equal token ids, texts and attributes.
 *
 * @param value "sha256:" followed by the hex digest
 */
public record VocabularyFingerprint(String value, int size, VocabularyType type) {

    public VocabularyFingerprint {
        Objects.requireNonNull(value, "value");
    }

    /** Whether a drafter with this vocabulary may propose tokens for a verifier with {@code other}. */
    public boolean matches(VocabularyFingerprint other) {
        return other != null && value.equals(other.value);
    }

    /** Throws {@link LlamaException.Code#INVALID_ARGUMENT} naming both sides when the vocabularies differ. */
    public void requireSameAs(VocabularyFingerprint other, String what) {
        if (!matches(other)) {
            throw new LlamaException(LlamaException.Code.INVALID_ARGUMENT, what + ": vocabulary mismatch ("
                    + this + " vs " + other + ")");
        }
    }

    @Override
    public String toString() {
        return value.substring(0, Math.min(value.length(), 19)) + "…(" + type + ", " + size + " tokens)";
    }
}
