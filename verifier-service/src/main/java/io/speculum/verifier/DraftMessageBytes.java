package io.speculum.verifier;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;

/** The size of each round message on the drafter hop: with deltas it must not grow with the generation. */
final class DraftMessageBytes {

    static final String NAME = "speculum.spec_decode.draft_message_bytes";

    private DraftMessageBytes() {
    }

    /** @param direction {@code request} (verifier to drafter) or {@code proposal} (back) */
    static DistributionSummary summary(MeterRegistry meters, String direction) {
        return DistributionSummary.builder(NAME).baseUnit("bytes")
                .description("Bytes of one round message on the drafter hop (JSON value)")
                .tag("direction", direction).register(meters);
    }
}
