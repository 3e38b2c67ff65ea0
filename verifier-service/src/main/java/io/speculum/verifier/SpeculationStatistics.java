package io.speculum.verifier;

import io.speculum.protocol.HopStages;
import io.speculum.protocol.SpeculationPolicy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a verifier counts, in the terms of vLLM's {@code spec_decode_*} metrics. Plain counters: exporters (the
 * Micrometer binder of the service) read them and subscribe to per-round records; nothing here knows about them.
 */
public final class SpeculationStatistics {

    /** One verification round, for timers and histograms. */
    public record RoundRecord(int drafted, int accepted, String drafter, double roundMillis, double hopMillis, int requested,
                              HopStages hop) {
    }

    /** Draft tokens verified and accepted, per drafter name. */
    public record DrafterCounts(LongAdder draftTokens, LongAdder acceptedTokens) {

        public double acceptanceRate() {
            long drafted = draftTokens.sum();
            return drafted == 0 ? 0 : (double) acceptedTokens.sum() / drafted;
        }
    }

    final LongAdder requests = new LongAdder();
    final LongAdder rounds = new LongAdder();
    final LongAdder drafts = new LongAdder();
    final LongAdder draftTokens = new LongAdder();
    final LongAdder acceptedTokens = new LongAdder();
    final LongAdder emittedTokens = new LongAdder();
    final LongAdder draftTimeouts = new LongAdder();
    final LongAdder droppedMessages = new LongAdder();
    final LongAdder stateResends = new LongAdder();
    final LongAdder pipelinedRounds = new LongAdder();
    final LongAdder rejectedRequests = new LongAdder();
    private final AtomicLongArray acceptedAtPosition = new AtomicLongArray(SpeculationPolicy.MAX_DRAFT_TOKENS);
    private final List<java.util.function.Consumer<RoundRecord>> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, DrafterCounts> byDrafter = new ConcurrentHashMap<>();

    void recordRound(RoundRecord round, int emitted) {
        rounds.increment();
        emittedTokens.add(emitted);
        if (round.drafted() > 0) {
            drafts.increment();
            draftTokens.add(round.drafted());
            acceptedTokens.add(round.accepted());
            for (int i = 0; i < round.accepted(); i++) {
                acceptedAtPosition.incrementAndGet(i);
            }
        }
        if (round.drafter() != null) {
            DrafterCounts counts = byDrafter.computeIfAbsent(round.drafter(), d -> new DrafterCounts(new LongAdder(), new LongAdder()));
            counts.draftTokens().add(round.drafted());
            counts.acceptedTokens().add(round.accepted());
        }
        listeners.forEach(l -> l.accept(round));
    }

    public void onRound(java.util.function.Consumer<RoundRecord> listener) {
        listeners.add(listener);
    }

    public long requests() {
        return requests.sum();
    }

    public long rounds() {
        return rounds.sum();
    }

    /** Rounds that verified a non-empty draft. */
    public long drafts() {
        return drafts.sum();
    }

    public long draftTokens() {
        return draftTokens.sum();
    }

    public long acceptedTokens() {
        return acceptedTokens.sum();
    }

    /** Tokens committed, drafted or not. */
    public long emittedTokens() {
        return emittedTokens.sum();
    }

    public long draftTimeouts() {
        return draftTimeouts.sum();
    }

    /** Duplicated or stale messages recognised and dropped. */
    public long droppedMessages() {
        return droppedMessages.sum();
    }

    /** Draft requests sent again with the whole state because a drafter lacked a delta's base. */
    public long stateResends() {
        return stateResends.sum();
    }

    /**
     * Rounds that verified a pre-draft (pipelined drafting): the drafter's guess of the round's start came true. The
     * round's hop time says how much of it was hidden (0: the pre-draft was there when the round began).
     */
    public long pipelinedRounds() {
        return pipelinedRounds.sum();
    }

    /** Requests refused (overload, invalid input). */
    public long rejectedRequests() {
        return rejectedRequests.sum();
    }

    /** Drafts whose token at {@code position} (0-based) was accepted. */
    public long acceptedAtPosition(int position) {
        return acceptedAtPosition.get(position);
    }

    /** α: accepted draft tokens per drafted token. */
    public double acceptanceRate() {
        long drafted = draftTokens();
        return drafted == 0 ? 0 : (double) acceptedTokens() / drafted;
    }

    /** Per drafter that answered: its verified and accepted draft tokens. */
    public Map<String, DrafterCounts> byDrafter() {
        return Map.copyOf(byDrafter);
    }

    /** α of one drafter (0 before it drafted). */
    public double acceptanceRate(String drafter) {
        DrafterCounts counts = byDrafter.get(drafter);
        return counts == null ? 0 : counts.acceptanceRate();
    }

    /** τ: tokens committed per round. */
    public double meanAcceptedLength() {
        long r = rounds();
        return r == 0 ? 0 : (double) emittedTokens() / r;
    }
}
