package io.speculum.protocol;

import java.time.Instant;

/**
 * When one draft round passed each stage, in microseconds since the epoch (wall clock: comparable across processes
 * on one host, and across hosts only as far as their clocks agree). The verifier stamps {@code requested}; the
 * drafter the rest. Zero: not stamped.
 *
 * @param requested     the verifier sent the draft request
 * @param received      the drafter's listener took it off the topic
 * @param draftStarted  drafting began (after waiting for the drafter's model, e.g. for a batch to form)
 * @param draftEnded    the draft was ready
 * @param sent          the proposal was handed to the drafter's producer
 */
public record DraftTiming(long requested, long received, long draftStarted, long draftEnded, long sent) {

    /** The wall clock in microseconds since the epoch. */
    public static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    public DraftTiming withSent(long micros) {
        return new DraftTiming(requested, received, draftStarted, draftEnded, micros);
    }

    /** The stages of a round whose proposal reached the verifier at {@code arrived} (µs since the epoch). */
    public HopStages stagesUntil(long arrived) {
        if (requested == 0 || received == 0 || sent == 0) {
            return null;
        }
        long started = draftStarted == 0 ? received : draftStarted;
        long ended = draftEnded == 0 ? sent : draftEnded;
        return new HopStages(millis(received - requested), millis(started - received), millis(ended - started),
                millis(sent - ended), millis(arrived - sent));
    }

    private static double millis(long micros) {
        return Math.max(0, micros) / 1000.0;
    }
}
