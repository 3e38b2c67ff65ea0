package io.speculum.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.speculum.llama.Model;
import io.speculum.math.SamplingParams;
import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.GenerationState;
import io.speculum.protocol.SpeculationPolicy;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The cascade's draft text as drafts: its tokens (with the real tokenizer) and which chunk each round verifies. */
class DraftTextHintTest {

    private static final int[] PROMPT = {1, 2, 3};
    private static Model model;

    @BeforeAll
    static void load() {
        model = Model.load(VerifierFixture.SHARED.resolve("models/stories260K.gguf"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** The state after {@code completion}, under a policy of chunks of {@code k}. */
    private static GenerationState state(int k, int... completion) {
        int[] tokens = IntStream.concat(Arrays.stream(PROMPT), Arrays.stream(completion)).toArray();
        return new GenerationState("r", completion.length, "replies", "m", "v", PROMPT.length, tokens, 64,
                SamplingParams.greedy(), null, new SpeculationPolicy(SpeculationPolicy.Mode.OFF, null, k, 0), 0, 0);
    }

    private static int[] range(int from, int to) {
        return IntStream.range(from, to).toArray();
    }

    @Test
    void whileTheCompletionFollowsTheTextItsNextTokensAreVerifiedInChunksOfThePolicysLength() {
        DraftTextHint hint = new DraftTextHint(range(10, 30));
        assertThat(hint.nextChunk(state(8), 100)).containsExactly(range(10, 18));
        assertThat(hint.nextChunk(state(8, range(10, 15)), 100)).as("after 5 accepted").containsExactly(range(15, 23));
        assertThat(hint.nextChunk(state(8, range(10, 26)), 100)).as("the rest").containsExactly(range(26, 30));
        assertThat(hint.nextChunk(state(8, range(10, 30)), 100)).as("used up").isEmpty();
    }

    @Test
    void aChunkFitsTheRoundsRoomAndWithoutAPolicyLengthIsEightTokens() {
        DraftTextHint hint = new DraftTextHint(range(10, 30));
        assertThat(hint.nextChunk(state(8), 3)).containsExactly(10, 11, 12);
        assertThat(hint.nextChunk(state(0), 100)).containsExactly(range(10, 18));
        assertThat(hint.nextChunk(state(8), 0)).as("no room").isEmpty();
    }

    @Test
    void afterADivergenceTheTextIsPickedUpWhereTheLastThreeCommittedTokensRecur() {
        int[] text = {10, 11, 12, 13, 14, 15, 50, 51, 52, 60, 61, 62, 63};
        DraftTextHint hint = new DraftTextHint(text);
        assertThat(hint.nextChunk(state(8, 10, 11, 99), 100)).as("diverged, its tail occurs nowhere").isEmpty();
        assertThat(hint.nextChunk(state(8, 10, 11, 99, 50, 51, 52), 100)).containsExactly(60, 61, 62, 63);
        assertThat(hint.nextChunk(state(8, 10, 11, 99, 50, 51, 52, 60, 61, 7), 100)).isEmpty();
        assertThat(hint.nextChunk(state(8, 10, 11, 99, 50, 51, 52, 60, 61, 7, 11, 12, 13), 100))
                .as("an earlier phrase, before where the last chunk started").containsExactly(14, 15, 50, 51, 52, 60, 61, 62);
    }

    @Test
    void theMatchIsTheFirstOccurrenceEndingAtOrAfterTheCursor() {
        int[] text = {7, 8, 9, 1, 7, 8, 9, 2};
        int[] committed = {5, 7, 8, 9};
        assertThat(io.speculum.generation.DraftTextCursor.matchEnd(text, committed, 0)).isEqualTo(3);
        assertThat(io.speculum.generation.DraftTextCursor.matchEnd(text, committed, 4)).isEqualTo(7);
        assertThat(io.speculum.generation.DraftTextCursor.matchEnd(text, committed, 8)).isEqualTo(-1);
        assertThat(io.speculum.generation.DraftTextCursor.matchEnd(text, new int[] {8, 9}, 0)).as("fewer than three committed").isEqualTo(-1);
    }

    @Test
    void noDraftTextGivesNoChunks() {
        assertThat(DraftTextHint.NONE.nextChunk(state(8), 100)).isEmpty();
        assertThat(DraftTextHint.NONE.nextChunk(state(8, 1, 2, 3), 100)).isEmpty();
    }

    @Test
    void theTextsTokensAreThoseAfterThePromptsInTheirJointTokenisation() {
        String prompt = "Once upon a time";
        String text = " there was a little girl named Lily.";
        int[] promptTokens = model.vocabulary().tokenize(prompt, true, false);
        int[] joint = model.vocabulary().tokenize(prompt + text, true, false);
        GenerateRequest request = new GenerateRequest("r", "replies", null, prompt, null, 16, null, null, null, 0, 0, text);
        DraftTextHint hint = DraftTextHint.of(request, promptTokens, model.vocabulary(), 512);
        assertThat(hint.tokens()).containsExactly(Arrays.copyOfRange(joint, promptTokens.length, joint.length));
        assertThat(model.vocabulary().detokenize(hint.tokens(), false, false)).as("alone, without its leading space")
                .isEqualTo(text.strip());
        assertThat(DraftTextHint.of(request, promptTokens, model.vocabulary(), promptTokens.length + 2).tokens())
                .as("up to the context").hasSize(2);
        GenerateRequest byTokens = new GenerateRequest("r", "replies", null, null, promptTokens, 16, null, null, null, 0, 0, text);
        assertThat(DraftTextHint.of(byTokens, promptTokens, model.vocabulary(), 512).tokens())
                .as("a prompt given as tokens is detokenised first").containsExactly(hint.tokens());
    }

    @Test
    void aTextThatDoesNotContinueThePromptsTokensGivesNoHint() {
        String prompt = "Once upon a ti";
        int[] promptTokens = model.vocabulary().tokenize(prompt, true, false);
        GenerateRequest merging = new GenerateRequest("r", "replies", null, prompt, null, 16, null, null, null, 0, 0, "me there was");
        assertThat(DraftTextHint.of(merging, promptTokens, model.vocabulary(), 512)).isSameAs(DraftTextHint.NONE);
        GenerateRequest none = new GenerateRequest("r", "replies", null, prompt, null, 16, null, null, null, 0, 0, "");
        assertThat(DraftTextHint.of(none, promptTokens, model.vocabulary(), 512)).isSameAs(DraftTextHint.NONE);
    }
}
