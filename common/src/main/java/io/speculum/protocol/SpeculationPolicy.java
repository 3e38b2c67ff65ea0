package io.speculum.protocol;

/**
 * How a request wants to be accelerated.
 *
 * @param mode          {@code AUTO} lets the verifier choose, {@code OFF} decodes with the target model alone,
 *                      {@code FIXED} always asks for {@code maxDraftTokens}
 * @param drafter       drafter kind to ask for (e.g. "model"); null = the drafter-service's default
 * @param maxDraftTokens longest draft chain k (1..32)
 * @param minProbability a model drafter stops its chain when its own top probability falls below this (p_min)
 * @param pipelined     whether the drafter pre-drafts the next round while the verifier verifies this one (null:
 *                      the verifier's default, {@code speculum.verifier.pipelined-drafts})
 */
public record SpeculationPolicy(Mode mode, String drafter, int maxDraftTokens, double minProbability, Boolean pipelined) {

    public enum Mode { AUTO, OFF, FIXED }

    public static final int MAX_DRAFT_TOKENS = 32;

    public SpeculationPolicy {
        if (mode == null) {
            mode = Mode.AUTO;
        }
        if (maxDraftTokens < 0 || maxDraftTokens > MAX_DRAFT_TOKENS) {
            throw new IllegalArgumentException("maxDraftTokens must be in [0, " + MAX_DRAFT_TOKENS + "], got " + maxDraftTokens);
        }
        if (!(minProbability >= 0 && minProbability < 1)) {
            throw new IllegalArgumentException("minProbability must be in [0, 1), got " + minProbability);
        }
    }

    /** A policy that leaves pipelining to the verifier's default. */
    public SpeculationPolicy(Mode mode, String drafter, int maxDraftTokens, double minProbability) {
        this(mode, drafter, maxDraftTokens, minProbability, null);
    }

    public static SpeculationPolicy defaults() {
        return new SpeculationPolicy(Mode.AUTO, null, 8, 0.0);
    }

    public static SpeculationPolicy off() {
        return new SpeculationPolicy(Mode.OFF, null, 0, 0.0);
    }

    public static SpeculationPolicy fixed(int k) {
        return new SpeculationPolicy(Mode.FIXED, null, k, 0.0);
    }

    /** The same policy, asking for the drafter named {@code name} (null: the drafter-service's default). */
    public SpeculationPolicy withDrafter(String name) {
        return new SpeculationPolicy(mode, name, maxDraftTokens, minProbability, pipelined);
    }

    /** The same policy, pipelining drafts or not (null: the verifier's default). */
    public SpeculationPolicy withPipelining(Boolean on) {
        return new SpeculationPolicy(mode, drafter, maxDraftTokens, minProbability, on);
    }

    public boolean enabled() {
        return mode != Mode.OFF && maxDraftTokens > 0;
    }
}
