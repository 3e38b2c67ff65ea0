package io.speculum.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.speculum.drafter.DraftService;
import io.speculum.drafter.drafters.NGramDrafter;
import io.speculum.llama.Model;
import io.speculum.math.SamplingParams;
import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.GenerationEvent;
import io.speculum.protocol.ProtocolError.ErrorCode;
import io.speculum.protocol.ResumePoint;
import io.speculum.protocol.SpeculationPolicy;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A generation another verifier had started goes on from the tokens its client has ({@link ResumePoint}): the real
 * model on a deterministic engine, a real (point-mass) n-gram drafter in-process. Whatever the cut, the resumed events continue the
 * uninterrupted run exactly: the same tokens from the cut on, the same text from the offset the first event names,
 * rounds numbered from the resume point, usage counting the resumed tokens.
 */
class ResumedGenerationTest {

    private static final int TOKENS = 48;
    private static final List<String> PROMPTS = List.of("Once upon a time", "The little dog was sad because");

    private static final VerifierFixture FIXTURE = new VerifierFixture();
    private static Model target;
    private static InProcessLink link;
    private static SpeculativeVerifier verifier;
    private static DraftService drafts;

    @BeforeAll
    static void verifier() {
        target = Model.load(VerifierFixture.SHARED.resolve("models/stories260K.gguf"));
        drafts = new DraftService(List.of(new NGramDrafter(target.vocabulary().fingerprint().toString())), "ngram");
        link = new InProcessLink().drafter(drafts);
        // deterministic decoding: the resumed prefill (prompt and resumed tokens at once, other cells) gives the same logits
        verifier = FIXTURE.verifier(target, link, VerifierSettings.defaults("stories260K", 512)
                .withDraftTimeout(java.time.Duration.ofSeconds(10)), null, true);
    }

    @AfterAll
    static void close() throws Exception {
        FIXTURE.close();
        drafts.close();
        target.close();
    }

    @ParameterizedTest(name = "{0}, temperature {1}")
    @CsvSource({"off, 0", "off, 0.9", "ngram, 0", "ngram, 0.9"})
    void theResumedEventsContinueTheUninterruptedRunExactly(String drafter, double temperature) {
        SamplingParams sampling = temperature == 0 ? SamplingParams.greedy() : new SamplingParams(temperature, 0, 0.95, 0, 1234);
        SpeculationPolicy policy = drafter.equals("off") ? SpeculationPolicy.off() : SpeculationPolicy.fixed(4).withDrafter(drafter);
        for (int p = 0; p < PROMPTS.size(); p++) {
            String id = drafter + "-" + temperature + "-" + p;
            GenerateRequest whole = new GenerateRequest(id, "replies", "stories260K", PROMPTS.get(p), null, TOKENS, sampling, List.of(),
                    policy, 0, 0);
            verifier.onGenerate(whole);
            GenerationEvent.Done end = (GenerationEvent.Done) link.awaitEnd(id);
            int[] tokens = link.tokens(id);
            String text = link.text(id);
            assertThat(tokens.length).as("a long enough run to cut").isGreaterThan(8);

            for (int cut : new int[] {1, tokens.length / 2, tokens.length - 1, tokens.length}) {
                String resumedId = id + "@" + cut;
                GenerateRequest resumed = new GenerateRequest(resumedId, "replies", "stories260K", PROMPTS.get(p), null, TOKENS, sampling,
                        List.of(), policy, 0, 0).resumedAt(new ResumePoint(7, Arrays.copyOf(tokens, cut)));
                verifier.onGenerate(resumed);
                GenerationEvent.Done resumedEnd = (GenerationEvent.Done) link.awaitEnd(resumedId);
                List<GenerationEvent.Round> rounds = link.events(resumedId).stream()
                        .filter(e -> e instanceof GenerationEvent.Round).map(e -> (GenerationEvent.Round) e).toList();

                assertThat(link.tokens(resumedId)).as("%s from %d", id, cut).containsExactly(Arrays.copyOfRange(tokens, cut, tokens.length));
                assertThat(resumedEnd.finishReason()).isEqualTo(end.finishReason());
                assertThat(resumedEnd.usage()).isEqualTo(end.usage());
                assertThat(resumedEnd.round()).isGreaterThanOrEqualTo(7);
                if (cut < tokens.length) {
                    GenerationEvent.Round first = rounds.getFirst();
                    assertThat(first.position()).isEqualTo(cut);
                    assertThat(first.round()).isEqualTo(7);
                    String before = text.substring(0, text.offsetByCodePoints(0, first.textOffset()));
                    assertThat(before + link.text(resumedId)).as("%s from %d", id, cut).isEqualTo(text);
                    for (int i = 1; i < rounds.size(); i++) {
                        assertThat(rounds.get(i).position()).isEqualTo(rounds.get(i - 1).end());
                    }
                } else {
                    assertThat(rounds).as("ended where it was cut").isEmpty();
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"-1", "99999999"})
    void resumedTokensOutsideTheVocabularyAreAnInvalidRequest(int token) {
        String id = "bad-resume" + token;
        verifier.onGenerate(new GenerateRequest(id, "replies", "stories260K", "Once", null, 8, null, null, SpeculationPolicy.off(), 0, 0)
                .resumedAt(new ResumePoint(1, new int[] {token})));

        GenerationEvent.Error error = (GenerationEvent.Error) link.awaitEnd(id);
        assertThat(error.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(error.message()).contains("resumed token id " + token);
    }

    @org.junit.jupiter.api.Test
    void moreResumedTokensThanMaxTokensAreAnInvalidRequest() {
        verifier.onGenerate(new GenerateRequest("too-many", "replies", "stories260K", "Once", null, 2, null, null, SpeculationPolicy.off(), 0, 0)
                .resumedAt(new ResumePoint(1, new int[] {5, 6, 7})));

        GenerationEvent.Error error = (GenerationEvent.Error) link.awaitEnd("too-many");
        assertThat(error.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(error.message()).contains("3 of 2");
    }
}
