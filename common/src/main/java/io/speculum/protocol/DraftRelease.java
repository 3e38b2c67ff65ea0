package io.speculum.protocol;

/**
 * Verifier to drafter: the generation has ended, so whatever the drafters keep for it (a KV sequence, cached tokens)
 * can go now rather than when it is evicted. Only an optimisation: a lost release costs memory and speed until the
 * drafter evicts the state itself, never correctness.
 */
public record DraftRelease(String requestId) implements DraftTopicRecord {
}
