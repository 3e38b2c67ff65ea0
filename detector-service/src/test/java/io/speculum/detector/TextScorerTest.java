package io.speculum.detector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.speculum.detector.scoring.TextEvidence;
import io.speculum.detector.scoring.TokenEvidence;
import io.speculum.detector.scoring.TokenEvidenceCalculator;
import io.speculum.llama.ContextOptions;
import io.speculum.llama.DecodeBatch;
import io.speculum.llama.DrafterDeriver;
import io.speculum.llama.DrafterDerivation;
import io.speculum.llama.InferenceContext;
import io.speculum.llama.Model;
import io.speculum.llama.WeightFormat;
import io.speculum.protocol.detection.DetectionError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scoring through the real model and native library. */
class TextScorerTest {

    static Model stories;
    static TextScorer scorer;
    static final String LONG_TEXT;

    static {
        try {
            String[] paragraphs = Files.readString(SharedFiles.data("tinystories/val-a.txt")).split("\n\\s*\n");
            LONG_TEXT = String.join(" ", Arrays.copyOfRange(paragraphs, 2, 8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeAll
    static void load() {
        stories = Model.load(SharedFiles.model(SharedFiles.STORIES_260K));
        scorer = new TextScorer(Observers.single(stories, "stories260K"), new ScorerOptions(64, 16, 4, 128, 2, 8));
    }

    @AfterAll
    static void close() {
        scorer.close();
        stories.close();
    }

    @Test
    void evidenceEqualsTheReferenceOverRowsFromAnIndependentDecode() {
        int[] tokens = stories.vocabulary().tokenize("Once upon a time, there was a little dog named Max.");
        TextEvidence evidence = scorer.scoreNow(List.of(tokens)).getFirst();
        assertThat(evidence.size()).isEqualTo(tokens.length - 1);
        try (InferenceContext context = stories.newContext(new ContextOptions(128, 128, 128, 1, 2, 2, true))) {
            DecodeBatch batch = new DecodeBatch();
            batch.addSequence(0, tokens, 0, true);
            context.decode(batch);
            for (int i = 1; i < tokens.length; i++) {
                float[] row = context.logits(i - 1);
                TokenEvidence e = evidence.get(i - 1);
                assertThat(e.index()).isEqualTo(i);
                assertThat(e.token()).isEqualTo(tokens[i]);
                double lse = 0;
                for (float l : row) {
                    lse += Math.exp(l);
                }
                lse = Math.log(lse);
                assertThat(e.logProb()).isCloseTo(row[tokens[i]] - lse, within(1e-5));
                double entropy = 0;
                for (float l : row) {
                    entropy -= Math.exp(l - lse) * (l - lse);
                }
                assertThat(e.entropy()).isCloseTo(entropy, within(1e-5));
            }
        }
    }

    /**
     * Where the output layer is F32 the scorer decodes hidden states and projects them on its statistics thread
     * (stories260K, TinyStories-656K); elsewhere (llama-2-tiny-random's F16 layer) llama.cpp computes it. Either way
     * every token's evidence is what llama.cpp's own logits give, over several decodes and groups of rows.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"stories260K.gguf,true", "TinyStories-656K-f32.gguf,true", "llama-2-tiny-random.gguf,false"})
    void evidenceIsLlamaCppsWhereverTheOutputLayerRuns(String file, boolean projected) {
        try (Model model = Model.load(SharedFiles.model(file));
             TextScorer own = new TextScorer(Observers.single(model, file), new ScorerOptions(64, 16, 2, 128, 1, 8))) {
            assertThat(own.projectsOffTheDecodingThread()).isEqualTo(projected);
            List<int[]> texts = List.of(model.vocabulary().tokenize(LONG_TEXT.substring(0, 300)),
                    model.vocabulary().tokenize("Tom had a red ball. He liked to play with it."),
                    model.vocabulary().tokenize("The sun was hot and the birds sang in the tall green tree."));
            List<TextEvidence> scored = own.scoreNow(texts);
            for (int i = 0; i < texts.size(); i++) {
                int[] tokens = texts.get(i);
                List<Windows.Window> windows = Windows.plan(tokens.length, 64, 16);
                try (InferenceContext context = model.newContext(new ContextOptions(64, 64, 64, 1, 1, 1, true))) {
                    for (Windows.Window w : windows) {
                        DecodeBatch batch = new DecodeBatch();
                        batch.addSequence(0, Arrays.copyOfRange(tokens, w.start(), w.start() + w.length()), 0, true);
                        context.clear();
                        context.decode(batch);
                        for (int index = w.firstIndex(); index < w.start() + w.length(); index++) {
                            TokenEvidence expected = TokenEvidenceCalculator.of(context.logits(index - w.start() - 1), tokens[index], index);
                            assertSame(scored.get(i).get(index - 1), expected);
                        }
                    }
                }
            }
        }
    }

    @Test
    void textsScoreTheSameInOneBatchedDecodeAsAlone() {
        List<int[]> texts = List.of(
                stories.vocabulary().tokenize("Tom had a red ball. He liked to play with it."),
                stories.vocabulary().tokenize("The sun was hot and the birds sang in the tall green tree."),
                stories.vocabulary().tokenize("Lily said, \"Can I have a cookie?\" Mom smiled."));
        List<TextEvidence> together = scorer.scoreNow(texts);
        for (int i = 0; i < texts.size(); i++) {
            TextEvidence alone = scorer.scoreNow(List.of(texts.get(i))).getFirst();
            assertThat(together.get(i).size()).isEqualTo(alone.size());
            for (int t = 0; t < alone.size(); t++) {
                assertSame(together.get(i).get(t), alone.get(t));
            }
        }
    }

    @Test
    void aTextLongerThanTheWindowIsScoredInOverlappingWindowsThatEqualDirectScoring() {
        int[] tokens = stories.vocabulary().tokenize(LONG_TEXT);
        assertThat(tokens.length).isGreaterThan(3 * 64);
        TextEvidence evidence = scorer.scoreNow(List.of(tokens)).getFirst();
        assertThat(evidence.size()).isEqualTo(tokens.length - 1);
        for (int i = 0; i < evidence.size(); i++) {
            assertThat(evidence.get(i).index()).isEqualTo(i + 1);
        }
        List<Windows.Window> windows = Windows.plan(tokens.length, 64, 16);
        assertThat(windows).hasSizeGreaterThan(3);
        for (Windows.Window w : windows) {
            // the window's tokens scored directly, as a text of their own
            int[] slice = Arrays.copyOfRange(tokens, w.start(), w.start() + w.length());
            TextEvidence direct = scorer.scoreNow(List.of(slice)).getFirst();
            for (int index = w.firstIndex(); index < w.start() + w.length(); index++) {
                assertSame(evidence.get(index - 1), reindexed(direct.get(index - w.start() - 1), index));
            }
            if (w.start() > 0) {
                assertThat(w.firstIndex() - w.start()).as("context carried over").isEqualTo(16);
            }
        }
    }

    @Test
    void aPairOfObserversSharingAVocabularyAddsCrossStatistics(@TempDir Path dir) {
        Path q8 = dir.resolve("stories260K-q8.gguf");
        new DrafterDeriver().derive(new DrafterDerivation(SharedFiles.model(SharedFiles.STORIES_260K), q8, WeightFormat.Q8_0, 0));
        try (Model reference = Model.load(q8);
             TextScorer pair = new TextScorer(Observers.pair(stories, reference, "pair"), new ScorerOptions(64, 16, 4, 128, 2, 8))) {
            int[] tokens = stories.vocabulary().tokenize("Once upon a time, there was a big cat. The cat was sad.");
            TextEvidence single = scorer.scoreNow(List.of(tokens)).getFirst();
            TextEvidence both = pair.scoreNow(List.of(tokens)).getFirst();
            assertThat(both.withReference()).isTrue();
            for (int i = 0; i < both.size(); i++) {
                TokenEvidence s = single.get(i);
                TokenEvidence b = both.get(i);
                // the scoring model's own statistics are untouched; the cross ones come from a close, not equal, model
                assertThat(b.logProb()).isEqualTo(s.logProb());
                assertThat(b.expectedLogProb()).isEqualTo(s.expectedLogProb());
                assertThat(b.crossExpectedLogProb()).isCloseTo(s.expectedLogProb(), within(0.2));
            }
            assertThat(both.tokens()).anySatisfy(b -> assertThat(b.crossExpectedLogProb()).isNotEqualTo(b.expectedLogProb()));
        }
    }

    @Test
    void observersWithDifferentVocabulariesAreRefused() {
        try (Model other = Model.load(SharedFiles.model(SharedFiles.TINYSTORIES_656K))) {
            assertThatThrownBy(() -> Observers.pair(stories, other, "mismatched"))
                    .isInstanceOfSatisfying(DetectionException.class,
                            e -> assertThat(e.code()).isEqualTo(DetectionError.Code.VOCABULARY_MISMATCH))
                    .hasMessageContaining("do not share a vocabulary");
        }
    }

    @Test
    void aTextOfOneTokenIsRefused() {
        assertThatThrownBy(() -> scorer.scoreNow(List.of(new int[] {1})))
                .isInstanceOfSatisfying(DetectionException.class,
                        e -> assertThat(e.code()).isEqualTo(DetectionError.Code.TEXT_TOO_SHORT));
    }

    @Test
    void windowsCoverEveryPredictedTokenOnce() {
        assertThat(Windows.plan(1, 8, 2)).isEmpty();
        assertThat(Windows.plan(8, 8, 2)).containsExactly(new Windows.Window(0, 8, 1));
        assertThat(Windows.plan(13, 8, 2)).containsExactly(new Windows.Window(0, 8, 1), new Windows.Window(6, 7, 8));
        for (int n = 2; n < 60; n++) {
            int next = 1;
            for (Windows.Window w : Windows.plan(n, 8, 3)) {
                assertThat(w.firstIndex()).isEqualTo(next);
                assertThat(w.length()).isLessThanOrEqualTo(8);
                next = w.start() + w.length();
            }
            assertThat(next).isEqualTo(n);
        }
    }

    /**
     * Equal up to float rounding: the KV cells a sequence lands in depend on what shares its decode, which changes
     * attention's summation order in the last bits (measured: ~1e-6 in log-probabilities).
     */
    private static void assertSame(TokenEvidence actual, TokenEvidence expected) {
        assertThat(actual.index()).isEqualTo(expected.index());
        assertThat(actual.token()).isEqualTo(expected.token());
        assertThat(actual.rank()).isEqualTo(expected.rank());
        assertThat(actual.logProb()).isCloseTo(expected.logProb(), within(1e-4));
        assertThat(actual.entropy()).isCloseTo(expected.entropy(), within(1e-4));
        assertThat(actual.logProbVariance()).isCloseTo(expected.logProbVariance(), within(1e-4));
        assertThat(actual.crossExpectedLogProb()).isCloseTo(expected.crossExpectedLogProb(), within(1e-4));
    }

    private static TokenEvidence reindexed(TokenEvidence e, int index) {
        return new TokenEvidence(index, e.token(), e.logProb(), e.rank(), e.entropy(), e.expectedLogProb(), e.logProbVariance(),
                e.crossExpectedLogProb(), e.crossLogProbVariance());
    }
}
