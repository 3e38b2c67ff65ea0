package io.speculum.math;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * How to turn a logits row into a token. Truncations compose in the order {@link TokenSampler#distribution} applies
 * them: temperature, top-k, top-p, min-p.
 *
 * @param temperature logits are divided by it; {@code 0} means greedy (argmax), negative and NaN are rejected
 * @param topK        keep the {@code topK} most likely tokens; {@code <= 0} means off
 * @param topP        keep the smallest most-likely prefix whose probability reaches {@code topP}; in (0, 1], 1 = off
 * @param minP        drop tokens less likely than {@code minP} times the most likely one; in [0, 1), 0 = off
 * @param seed        keys the randomness of a generation, together with the token position (see {@link SeededUniform})
 *                    <p>On the wire every field is optional: an absent one takes the default named on it (greedy, no
 *                    truncation, seed 0).
 */
public record SamplingParams(
        @JsonProperty(defaultValue = "0") double temperature,
        @JsonProperty(defaultValue = "0") int topK,
        @JsonProperty(defaultValue = "1") double topP,
        @JsonProperty(defaultValue = "0") double minP,
        @JsonProperty(defaultValue = "0") long seed) {

    public SamplingParams {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be finite and >= 0 (0 = greedy), was " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1] (1 = off), was " + topP);
        }
        if (!(minP >= 0 && minP < 1)) {
            throw new IllegalArgumentException("minP must be in [0, 1) (0 = off), was " + minP);
        }
    }

    /** Reads the wire form: an absent field takes its default (only {@code topP}'s is not Java's zero). */
    @JsonCreator
    static SamplingParams fromJson(@JsonProperty("temperature") Double temperature, @JsonProperty("topK") Integer topK,
                                   @JsonProperty("topP") Double topP, @JsonProperty("minP") Double minP, @JsonProperty("seed") Long seed) {
        return new SamplingParams(temperature == null ? 0 : temperature, topK == null ? 0 : topK, topP == null ? 1 : topP,
                minP == null ? 0 : minP, seed == null ? 0 : seed);
    }

    /** Argmax decoding: no randomness, so the seed is irrelevant and fixed to 0. */
    public static SamplingParams greedy() {
        return new SamplingParams(0, 0, 1, 0, 0);
    }

    /** Plain sampling from {@code softmax(logits / temperature)}, no truncation. */
    public static SamplingParams ofTemperature(double temperature, long seed) {
        return new SamplingParams(temperature, 0, 1, 0, seed);
    }

    /** llama.cpp's defaults: temperature 0.8, top-k 40, top-p 0.95, min-p 0.05. */
    public static SamplingParams llamaCppDefaults(long seed) {
        return new SamplingParams(0.8, 40, 0.95, 0.05, seed);
    }

    public SamplingParams withTemperature(double temperature) {
        return new SamplingParams(temperature, topK, topP, minP, seed);
    }

    public SamplingParams withTopK(int topK) {
        return new SamplingParams(temperature, topK, topP, minP, seed);
    }

    public SamplingParams withTopP(double topP) {
        return new SamplingParams(temperature, topK, topP, minP, seed);
    }

    public SamplingParams withMinP(double minP) {
        return new SamplingParams(temperature, topK, topP, minP, seed);
    }

    public SamplingParams withSeed(long seed) {
        return new SamplingParams(temperature, topK, topP, minP, seed);
    }

    /**
     * Whether these params decode greedily (temperature 0), i.e. draw no random numbers at all. Not named
     * {@code isGreedy}: Jackson would serialise that as an extra {@code "greedy"} property.
     */
    public boolean deterministic() {
        return temperature == 0;
    }
}
