package io.speculum.llama;

import java.util.Map;
import java.util.Optional;

/**
 * What a loaded model says about itself.
 *
 * @param architecture    {@code general.architecture}, e.g. "llama"
 * @param name            {@code general.name}, or the file name when absent
 * @param description     llama.cpp's one-line description (type, size, quantisation)
 * @param parameterCount  number of parameters
 * @param sizeBytes       size of the weights in bytes
 * @param trainingContext context length the model was trained with
 * @param embeddingSize   hidden size
 * @param layerCount      transformer blocks
 * @param headCount       attention heads
 * @param vocabularySize  tokens in the vocabulary
 * @param vocabularyType  tokenizer family
 * @param specialTokens   BOS/EOS/EOT/newline/padding ids
 * @param chatTemplate    the Jinja chat template stored in the file, if any
 * @param keyValues       every GGUF metadata key with its value as a string (arrays abbreviated by llama.cpp)
 */
public record ModelMetadata(
        String architecture,
        String name,
        String description,
        long parameterCount,
        long sizeBytes,
        int trainingContext,
        int embeddingSize,
        int layerCount,
        int headCount,
        int vocabularySize,
        VocabularyType vocabularyType,
        SpecialTokens specialTokens,
        Optional<String> chatTemplate,
        Map<String, String> keyValues) {

    public ModelMetadata {
        keyValues = Map.copyOf(keyValues);
    }
}
