package io.speculum.verifier;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits and timings of a verifier.
 *
 * @param modelName        the name clients address the served model by
 * @param sequenceContext  tokens (prompt + completion) one generation may hold
 * @param maxSessions      generations decoded together (KV sequences of the context)
 * @param maxWaiting       generations queued for a free session; beyond, requests are refused as OVERLOADED
 * @param maxTokens        largest completion a request may ask for
 * @param draftTimeout     how long a round waits for a drafter before the verifier decodes the token itself
 * @param finishedMemory   how many finished request ids are remembered to drop replays
 * @param successorCandidates per decoded position, how many of the model's top next tokens go to drafters with the
 *                         next draft request (token recycling learns from them; 0 sends none)
 * @param treeBranches     most branches (leaves) of a token tree the verifier verifies in one decode; 1: chains only.
 *                         Each session then uses this many KV sequences of the engine ({@link #engineSequences})
 * @param pipelinedDrafts  by default (a request's policy may say otherwise), drafters pre-draft the next round while
 *                         this one is verified, hiding the drafter hop when the draft is accepted whole (chains only)
 */
public record VerifierSettings(String modelName, int sequenceContext, int maxSessions, int maxWaiting, int maxTokens,
                               Duration draftTimeout, int finishedMemory, int successorCandidates, int treeBranches,
                               boolean pipelinedDrafts) {

    public VerifierSettings(String modelName, int sequenceContext, int maxSessions, int maxWaiting, int maxTokens,
                            Duration draftTimeout, int finishedMemory, int successorCandidates, int treeBranches) {
        this(modelName, sequenceContext, maxSessions, maxWaiting, maxTokens, draftTimeout, finishedMemory, successorCandidates,
                treeBranches, false);
    }

    public VerifierSettings(String modelName, int sequenceContext, int maxSessions, int maxWaiting, int maxTokens,
                            Duration draftTimeout, int finishedMemory, int successorCandidates) {
        this(modelName, sequenceContext, maxSessions, maxWaiting, maxTokens, draftTimeout, finishedMemory, successorCandidates, 1);
    }

    public static final int DEFAULT_SUCCESSOR_CANDIDATES = 4;

    public VerifierSettings(String modelName, int sequenceContext, int maxSessions, int maxWaiting, int maxTokens,
                            Duration draftTimeout, int finishedMemory) {
        this(modelName, sequenceContext, maxSessions, maxWaiting, maxTokens, draftTimeout, finishedMemory, DEFAULT_SUCCESSOR_CANDIDATES);
    }

    public VerifierSettings {
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(draftTimeout, "draftTimeout");
        if (sequenceContext < 8 || maxSessions < 1 || maxWaiting < 0 || maxTokens < 1 || finishedMemory < 1) {
            throw new IllegalArgumentException("invalid verifier settings: " + modelName + ", context " + sequenceContext
                    + ", sessions " + maxSessions + ", waiting " + maxWaiting + ", maxTokens " + maxTokens);
        }
        if (successorCandidates < 0 || successorCandidates > 32) {
            throw new IllegalArgumentException("successorCandidates must be in [0, 32], got " + successorCandidates);
        }
        if (treeBranches < 1 || treeBranches > 8) {
            throw new IllegalArgumentException("treeBranches must be in [1, 8], got " + treeBranches);
        }
        if (draftTimeout.isNegative() || draftTimeout.isZero()) {
            throw new IllegalArgumentException("draftTimeout must be positive, got " + draftTimeout);
        }
    }

    public static VerifierSettings defaults(String modelName, int sequenceContext) {
        return new VerifierSettings(modelName, sequenceContext, 8, 64, sequenceContext, Duration.ofMillis(250), 10_000);
    }

    public VerifierSettings withDraftTimeout(Duration timeout) {
        return new VerifierSettings(modelName, sequenceContext, maxSessions, maxWaiting, maxTokens, timeout, finishedMemory, successorCandidates, treeBranches,
                pipelinedDrafts);
    }

    public VerifierSettings withCapacity(int sessions, int waiting) {
        return new VerifierSettings(modelName, sequenceContext, sessions, waiting, maxTokens, draftTimeout, finishedMemory, successorCandidates, treeBranches,
                pipelinedDrafts);
    }

    public VerifierSettings withTreeBranches(int branches) {
        return new VerifierSettings(modelName, sequenceContext, maxSessions, maxWaiting, maxTokens, draftTimeout, finishedMemory,
                successorCandidates, branches, pipelinedDrafts);
    }

    public VerifierSettings withPipelinedDrafts(boolean on) {
        return new VerifierSettings(modelName, sequenceContext, maxSessions, maxWaiting, maxTokens, draftTimeout, finishedMemory,
                successorCandidates, treeBranches, on);
    }

    /** Whether a request's drafts are pipelined: its policy's choice, else this verifier's default; chains only. */
    public boolean pipelines(io.speculum.protocol.SpeculationPolicy policy) {
        return treeBranches == 1 && (policy.pipelined() != null ? policy.pipelined() : pipelinedDrafts);
    }

    /** KV sequences the engine needs: one per session and tree branch. */
    public int engineSequences() {
        return maxSessions * treeBranches;
    }
}
