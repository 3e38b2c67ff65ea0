package io.speculum.protocol;

/**
 * Kafka topics of the speculative decoding protocol. Every record is keyed by its request id, so all rounds of one
 * generation land on the same partition (and, with equal partition counts and a range assignor, on the same warm
 * replica of each service).
 */
public final class Topics {

    /** {@link GenerateRequest}s and {@link CancelRequest}s, consumed by the verifier. */
    public static final String GENERATE = "llm.generate";
    /** {@link DraftRequest}s, verifier to drafter. */
    public static final String DRAFT = "llm.draft";
    /** {@link DraftProposal}s, drafter to verifier. */
    public static final String VERIFY = "llm.verify";
    /**
     * {@link GenerateRequest}s and {@link CancelRequest}s for the small model alone, consumed by the drafter-service;
     * its round events carry per-token confidence (for cascades).
     */
    public static final String SMALL_GENERATE = "llm.small-generate";
    /** {@link CascadeRequest}s, consumed by the cascade router; it answers one {@link CascadeReply} on the request's reply topic. */
    public static final String CASCADE = "llm.cascade";
    /**
     * {@link io.speculum.protocol.detection.DetectRequest}s, consumed by the detector-service; the
     * {@link io.speculum.protocol.detection.DetectReply} goes to the reply topic the request names.
     */
    public static final String DETECT = "llm.detect";
    /** Records that could not be read or processed, with the failure in headers. */
    public static final String DEAD_LETTER = "llm.dead-letter";

    /** Header carrying the protocol version of a record's JSON. */
    public static final String VERSION_HEADER = "speculum-protocol";
    public static final String VERSION = "1";

    private Topics() {
    }
}
