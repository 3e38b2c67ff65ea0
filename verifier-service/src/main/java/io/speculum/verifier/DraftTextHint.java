package io.speculum.verifier;

import io.speculum.generation.DraftTextCursor;
import io.speculum.llama.LlamaException;
import io.speculum.llama.Vocabulary;
import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.GenerationState;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cascade's part in speculative decoding: a deferred request carries the small model's answer as
 * {@code draftText}, and the verifier verifies it chunk by chunk as drafts (no drafter hop) while the committed
 * completion follows it, picking it up again where a phrase of it recurs. One per session; guarded by its monitor.
 */
final class DraftTextHint {

    private static final Logger LOG = LoggerFactory.getLogger(DraftTextHint.class);
    /** The drafter name rounds that verify the request's draft text report. */
    static final String DRAFTER = "draft-text";
    private static final int DEFAULT_CHUNK = 8;
    private static final int[] NO_TOKENS = new int[0];
    /** No draft text: never gives a chunk (and, empty, never changes). */
    static final DraftTextHint NONE = new DraftTextHint(NO_TOKENS);

    /** The draft text in the verifier's tokens (completion positions 0..). */
    private final int[] hint;
    /** Where the next chunk starts (the rule the cascade's calibration replays). */
    private final DraftTextCursor cursor;

    DraftTextHint(int[] hint) {
        this.hint = hint;
        this.cursor = new DraftTextCursor(hint);
    }

    /**
     * The request's draft text in this model's tokens, as the continuation of {@code prompt}: the prompt text and the
     * draft text are tokenised together (a SentencePiece vocabulary spells a word at the start of a text otherwise
     * than after other text) and the tokens after the prompt's are the hint. A draft text that cannot be tokenised,
     * or whose joint tokenisation does not start with the prompt's tokens, gives no hint: it is only an optimisation.
     */
    static DraftTextHint of(GenerateRequest request, int[] prompt, Vocabulary vocabulary, int sequenceContext) {
        String text = request.draftText();
        if (text == null || text.isEmpty()) {
            return NONE;
        }
        try {
            String promptText = request.prompt() != null ? request.prompt() : vocabulary.detokenize(prompt, true, false);
            int[] joint = vocabulary.tokenize(promptText + text, true, false);
            if (joint.length <= prompt.length || !Arrays.equals(joint, 0, prompt.length, prompt, 0, prompt.length)) {
                LOG.debug("The draft text of {} does not continue its prompt's tokens; verifying without it", request.requestId());
                return NONE;
            }
            // all of it up to the context: after a divergence, phrases from anywhere in it can be picked up again
            return new DraftTextHint(Arrays.copyOfRange(joint, prompt.length, Math.min(joint.length, sequenceContext)));
        } catch (LlamaException e) {
            LOG.debug("The draft text of {} cannot be tokenised ({}); verifying without it", request.requestId(), e.getMessage());
            return NONE;
        }
    }

    /** The hint's tokens. */
    int[] tokens() {
        return hint.clone();
    }

    /**
     * The next hint tokens to verify, in chunks of the policy's {@code maxDraftTokens} (at most {@code room}), from
     * where {@link DraftTextCursor} says the next chunk starts; none (empty) where the committed tail occurs nowhere
     * in the hint or the hint is used up.
     */
    int[] nextChunk(GenerationState state, int room) {
        if (hint.length == 0) {
            return NO_TOKENS;
        }
        int from = cursor.nextStart(state.tokens(), state.promptLength());
        int k = state.speculation().maxDraftTokens() > 0 ? state.speculation().maxDraftTokens() : DEFAULT_CHUNK;
        int n = from < 0 ? 0 : Math.min(Math.min(k, hint.length - from), room);
        if (n <= 0) {
            return NO_TOKENS;
        }
        cursor.taken(from);
        return Arrays.copyOfRange(hint, from, from + n);
    }
}
