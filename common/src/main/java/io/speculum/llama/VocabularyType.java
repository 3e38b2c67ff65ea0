package io.speculum.llama;

/** llama.cpp's {@code enum llama_vocab_type}. */
public enum VocabularyType {
    NONE, SPM, BPE, WPM, UGM, RWKV;

    static VocabularyType of(int nativeValue) {
        VocabularyType[] values = values();
        return nativeValue >= 0 && nativeValue < values.length ? values[nativeValue] : NONE;
    }
}
