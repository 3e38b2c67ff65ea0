package io.speculum.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Our tokenizer against java-llama.cpp's {@code encode}, on all four test models. */
class TokenizerTest {

    static Stream<String> models() {
        return Stream.of(TestModels.ALL);
    }

    @ParameterizedTest
    @MethodSource("models")
    void tokensEqualJavaLlamaCppOnTinyStoriesParagraphs(String file) {
        List<String> paragraphs = TestTexts.paragraphs(300);
        try (Model model = Model.load(TestModels.model(file));
             JavaLlamaReference reference = new JavaLlamaReference(TestModels.model(file))) {
            Vocabulary vocabulary = model.vocabulary();
            int compared = 0;
            for (String paragraph : paragraphs) {
                if (!TestTexts.spellable(vocabulary, paragraph)) {
                    continue;
                }
                // java-llama.cpp's encode = no BOS, special-token texts parsed
                assertThat(vocabulary.tokenize(paragraph, false, true)).as(paragraph).isEqualTo(reference.encode(paragraph));
                compared++;
            }
            assertThat(compared).as("paragraphs compared").isGreaterThan(paragraphs.size() / 2);
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void tokensEqualJavaLlamaCppOnTrickyTexts(String file) {
        try (Model model = Model.load(TestModels.model(file));
             JavaLlamaReference reference = new JavaLlamaReference(TestModels.model(file))) {
            Vocabulary vocabulary = model.vocabulary();
            for (String text : TestTexts.TRICKY) {
                if (TestTexts.spellable(vocabulary, text)) {
                    assertThat(vocabulary.tokenize(text, false, true)).as(text).isEqualTo(reference.encode(text));
                } else {
                    // llama.cpp itself would abort the process on these; we refuse them with a clear error
                    assertThatThrownBy(() -> vocabulary.tokenize(text, false, true))
                            .isInstanceOf(LlamaException.class)
                            .hasMessageContaining("cannot represent");
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void detokenizeGivesTheTextBack(String file) {
        try (Model model = Model.load(TestModels.model(file))) {
            Vocabulary vocabulary = model.vocabulary();
            int roundTrips = 0;
            for (String text : Stream.concat(TestTexts.TRICKY.stream(), TestTexts.paragraphs(50).stream()).toList()) {
                if (!TestTexts.spellable(vocabulary, text)) {
                    continue;
                }
                int[] withBos = vocabulary.tokenize(text, true, false);
                assertThat(withBos[0]).isEqualTo(vocabulary.specialTokens().bos());
                assertThat(vocabulary.detokenize(withBos)).as(text).isEqualTo(text);
                assertThat(vocabulary.detokenize(vocabulary.tokenize(text, false, false))).as(text).isEqualTo(text);
                roundTrips++;
            }
            assertThat(roundTrips).isGreaterThan(10);
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void specialTokensAreParsedOnlyWhenAsked(String file) {
        try (Model model = Model.load(TestModels.model(file))) {
            Vocabulary vocabulary = model.vocabulary();
            int bos = vocabulary.specialTokens().bos();
            String bosText = vocabulary.tokenText(bos);
            String text = bosText + "Once";
            if (!TestTexts.spellable(vocabulary, text)) {
                return; // the vocabulary cannot spell the special token's text as plain text: nothing to compare
            }
            assertThat(vocabulary.tokenize(text, false, true)[0]).isEqualTo(bos);
            assertThat(vocabulary.tokenize(text, false, false)[0]).isNotEqualTo(bos);
            assertThat(vocabulary.detokenize(new int[] {bos}, false, true)).isEqualTo(bosText);
            assertThat(vocabulary.detokenize(new int[] {bos}, false, false)).isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void piecesConcatenateToTheText(String file) {
        try (Model model = Model.load(TestModels.model(file))) {
            Vocabulary vocabulary = model.vocabulary();
            String text = "Once upon a time, there was a dog.";
            int[] tokens = vocabulary.tokenize(text, false, false);
            StringBuilder pieces = new StringBuilder();
            for (int token : tokens) {
                pieces.append(vocabulary.piece(token));
            }
            // SentencePiece adds one leading space that detokenize removes
            assertThat(pieces.toString().stripLeading()).isEqualTo(text);
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void vocabularyOnlyLoadTokenizesTheSame(String file) {
        try (Model full = Model.load(TestModels.model(file));
             Model vocabOnly = Model.load(ModelOptions.vocabularyOnly(TestModels.model(file)))) {
            assertThat(vocabOnly.isVocabularyOnly()).isTrue();
            String text = TestTexts.paragraphs(1).getFirst();
            assertThat(vocabOnly.vocabulary().tokenize(text)).isEqualTo(full.vocabulary().tokenize(text));
            assertThat(vocabOnly.vocabulary().fingerprint()).isEqualTo(full.vocabulary().fingerprint());
            assertThatThrownBy(() -> vocabOnly.newContext(ContextOptions.defaults(64)))
                    .isInstanceOf(LlamaException.class)
                    .extracting(e -> ((LlamaException) e).code()).isEqualTo(LlamaException.Code.UNSUPPORTED);
        }
    }
}
