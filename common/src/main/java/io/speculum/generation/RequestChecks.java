package io.speculum.generation;

import io.speculum.math.Penalties;
import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.ProtocolError;
import io.speculum.protocol.ProtocolError.ErrorCode;

/** The checks every service that generates applies to a request before it takes a session: one wording everywhere. */
public final class RequestChecks {

    private RequestChecks() {
    }

    /** The request's fields against what the service serves; null when they are acceptable. */
    public static ProtocolError check(GenerateRequest request, String servedModel, int maxTokens) {
        if (request.model() != null && !request.model().equals(servedModel)) {
            return new ProtocolError(ErrorCode.UNKNOWN_MODEL, "unknown model '" + request.model() + "': this service serves '"
                    + servedModel + "'");
        }
        if ((request.prompt() == null) == (request.promptTokens() == null)) {
            return invalid("give exactly one of prompt and promptTokens");
        }
        if (request.maxTokens() < 1 || request.maxTokens() > maxTokens) {
            return invalid("maxTokens must be in [1, " + maxTokens + "], got " + request.maxTokens());
        }
        if (request.resumedTokens().length > request.maxTokens()) {
            return invalid("a resumed request has at most maxTokens completion tokens: it has " + request.resumedTokens().length
                    + " of " + request.maxTokens());
        }
        if (outside(request.logprobs()) || outside(request.promptLogprobs())) {
            return invalid("logprobs and promptLogprobs must be in [0, " + GenerateRequest.MAX_LOGPROBS + "]");
        }
        if (request.deadlineAtMillis() > 0 && System.currentTimeMillis() > request.deadlineAtMillis()) {
            return new ProtocolError(ErrorCode.DEADLINE_EXCEEDED, "the request's deadline has already passed");
        }
        return null;
    }

    /** The tokenized prompt against the vocabulary and the room one sequence has; null when it fits. */
    public static ProtocolError checkPrompt(int[] prompt, int vocabularySize, int sequenceContext) {
        if (prompt.length == 0) {
            return invalid("the prompt is empty");
        }
        for (int token : prompt) {
            if (token < 0 || token >= vocabularySize) {
                return invalid("token id " + token + " is outside the vocabulary [0, " + vocabularySize + ")");
            }
        }
        if (prompt.length >= sequenceContext) {
            return new ProtocolError(ErrorCode.PROMPT_TOO_LONG, "the prompt has " + prompt.length + " tokens; this model's context holds "
                    + sequenceContext + " (prompt and completion)");
        }
        return null;
    }

    /** The logit bias's token ids against the vocabulary; null when they are all in it. */
    /** The completion tokens a resumed request already has: ids of the vocabulary. */
    public static ProtocolError checkResumed(int[] resumed, int vocabularySize) {
        for (int token : resumed) {
            if (token < 0 || token >= vocabularySize) {
                return invalid("resumed token id " + token + " is outside the vocabulary [0, " + vocabularySize + ")");
            }
        }
        return null;
    }

    public static ProtocolError checkPenalties(Penalties penalties, int vocabularySize) {
        for (int token : penalties.logitBias().keySet()) {
            if (token >= vocabularySize) {
                return invalid("logit bias token id " + token + " is outside the vocabulary [0, " + vocabularySize + ")");
            }
        }
        return null;
    }

    private static boolean outside(Integer top) {
        return top != null && (top < 0 || top > GenerateRequest.MAX_LOGPROBS);
    }

    private static ProtocolError invalid(String message) {
        return new ProtocolError(ErrorCode.INVALID_REQUEST, message);
    }
}
