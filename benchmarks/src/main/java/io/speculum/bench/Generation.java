package io.speculum.bench;

import io.speculum.protocol.GenerationEvent;
import io.speculum.protocol.HopStages;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One generation as a benchmark saw it: tokens, text, its own wall time (request sent .. terminal event), and the
 * verifier's statistics when it was speculative.
 *
 * @param tokenIds the completion's token ids (empty where a variant reports text only)
 * @param hops     drafter hop per drafted round, ms (ask for a draft .. receive it)
 * @param stages   where each stamped hop went, stage by stage
 * @param verifications per verification round after the first, ms from submitting its decode to its logits (the
 *                 verifier's {@code roundMillis}: the decode and its wait in the engine's queue)
 * @param prefillSeconds the prompt's prefill and the first token (0 where unknown)
 */
record Generation(String id, int tokens, int[] tokenIds, String text, double seconds, int rounds, int drafted, int accepted,
                  double[] hops, List<HopStages> stages, double[] verifications, double prefillSeconds) {

    /** A generation known by its text and token count only (java-llama.cpp's stream). */
    static Generation ofText(String id, int tokens, String text, double seconds) {
        return new Generation(id, tokens, new int[0], text, seconds, 0, 0, 0, new double[0], List.of(), new double[0], 0);
    }

    /** Same tokens as {@code other}, compared by id where both have them, else by text and count. */
    boolean sameOutput(Generation other) {
        if (tokenIds.length > 0 || other.tokenIds.length > 0) {
            return Arrays.equals(tokenIds, other.tokenIds);
        }
        return tokens == other.tokens && text.equals(other.text);
    }

    /** Sums a request's events; an error event fails the benchmark (it measures working generations only). */
    static Generation of(String id, List<GenerationEvent> events, double seconds) {
        int tokens = 0;
        List<int[]> ids = new ArrayList<>();
        int rounds = 0;
        int drafted = 0;
        int accepted = 0;
        StringBuilder text = new StringBuilder();
        List<Double> hops = new ArrayList<>();
        List<HopStages> stages = new ArrayList<>();
        List<Double> verifications = new ArrayList<>();
        double prefill = 0;
        for (GenerationEvent event : events) {
            switch (event) {
                case GenerationEvent.Round round -> {
                    tokens += round.tokens().length;
                    ids.add(round.tokens());
                    text.append(round.text());
                    if (round.stats().drafted() > 0) {
                        hops.add(round.stats().hopMillis());
                    }
                    if (round.round() > 0) {
                        verifications.add(round.stats().roundMillis());
                    } else {
                        prefill = round.stats().roundMillis() / 1000;
                    }
                    if (round.stats().hop() != null) {
                        stages.add(round.stats().hop());
                    }
                }
                case GenerationEvent.Done done -> {
                    text.append(done.text() == null ? "" : done.text());
                    rounds = done.stats().rounds();
                    drafted = done.stats().draftedTokens();
                    accepted = done.stats().acceptedTokens();
                }
                case GenerationEvent.Error error -> throw new IllegalStateException("generation " + id + " failed: " + error);
            }
        }
        int[] all = ids.stream().flatMapToInt(Arrays::stream).toArray();
        return new Generation(id, tokens, all, text.toString(), seconds, rounds, drafted, accepted,
                hops.stream().mapToDouble(Double::doubleValue).toArray(), List.copyOf(stages),
                verifications.stream().mapToDouble(Double::doubleValue).toArray(), prefill);
    }

    double tokensPerSecond() {
        return tokens / seconds;
    }

    /**
     * Tokens per second after the first, without the prompt's prefill: the steady decoding speed a cost-curve bound
     * (τ·t1/t(k+1)) describes; for speculation over Kafka the request's and the last reply's hops stay in.
     */
    double decodingTokensPerSecond() {
        return prefillSeconds > 0 && tokens > 1 ? (tokens - 1) / (seconds - prefillSeconds) : tokensPerSecond();
    }
}
