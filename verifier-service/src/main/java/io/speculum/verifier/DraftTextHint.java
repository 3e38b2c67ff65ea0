package io.speculum.verifier;

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
    /** Committed tokens that must recur in the draft text to pick it up again after it diverged. */
    static final int MATCH = 3;
    private static final int[] NO_TOKENS = new int[0];
    /** No draft text: never gives a chunk (and, empty, never changes). */
    static final DraftTextHint NONE = new DraftTextHint(NO_TOKENS);

    /** The draft text in the verifier's tokens (completion positions 0..). */
    private final int[] hint;
    /** Completion tokens already compared with the hint. */
    private int checked;
    /** The committed completion still equals the hint's prefix. */
    private boolean aligned;
    /** Where in the hint the last verified chunk started (matches are looked for from there on first). */
    private int cursor;

    DraftTextHint(int[] hint) {
        this.hint = hint;
        this.aligned = hint.length > 0;
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
     * The next hint tokens to verify, in chunks of the policy's {@code maxDraftTokens} (at most {@code room}): where
     * the committed completion still equals the hint's prefix, the tokens after it; once they differ, the tokens after
     * the next place in the hint where the last {@value #MATCH} committed tokens occur (the small answer often says the
     * same phrase a little later or earlier); none (empty) where they occur nowhere or the hint is used up.
     */
    int[] nextChunk(GenerationState state, int room) {
        if (hint.length == 0) {
            return NO_TOKENS;
        }
        int[] tokens = state.tokens();
        int completed = tokens.length - state.promptLength();
        int from = -1;
        if (aligned) {
            for (int i = checked; i < completed && aligned; i++) {
                aligned = i < hint.length && tokens[state.promptLength() + i] == hint[i];
            }
            if (aligned) {
                checked = completed;
                from = completed;
            }
        }
        if (from < 0) {
            from = matchEnd(hint, tokens, cursor);
            if (from < 0 && cursor > 0) {
                from = matchEnd(hint, tokens, 0);
            }
        }
        int k = state.speculation().maxDraftTokens() > 0 ? state.speculation().maxDraftTokens() : DEFAULT_CHUNK;
        int n = from < 0 ? 0 : Math.min(Math.min(k, hint.length - from), room);
        if (n <= 0) {
            return NO_TOKENS;
        }
        cursor = from;
        return Arrays.copyOfRange(hint, from, from + n);
    }

    /** The hint position right after the first occurrence, ending at {@code from} or later, of the committed tail. */
    static int matchEnd(int[] hint, int[] tokens, int from) {
        if (tokens.length < MATCH) {
            return -1;
        }
        for (int end = Math.max(MATCH, from); end < hint.length; end++) {
            if (Arrays.equals(hint, end - MATCH, end, tokens, tokens.length - MATCH, tokens.length)) {
                return end;
            }
        }
        return -1;
    }
}
