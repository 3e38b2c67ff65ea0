package io.speculum.math;

import java.util.Map;
import java.util.TreeMap;

/**
 * Logit processing applied to the target's logits before {@link TokenSampler} samples from them, as vLLM and OpenAI
 * define it: {@code logit_bias} added first, then the repetition penalty (every token seen in the prompt or the output
 * so far: a positive logit divided by it, a negative one multiplied), then {@code frequency_penalty} times the token's
 * count in the output so far and {@code presence_penalty} once for any output occurrence, both subtracted.
 *
 * <p>"So far" is the context the logits were computed for: when a verifier checks a draft, the earlier draft tokens
 * of that chain or tree branch count, exactly as they would had the target produced them one by one.
 *
 * @param logitBias  token id to a bias in [-100, 100]
 * @param frequency  in [-2, 2], 0 = off
 * @param presence   in [-2, 2], 0 = off
 * @param repetition {@code > 0}, 1 = off
 */
public record Penalties(Map<Integer, Double> logitBias, double frequency, double presence, double repetition) {

    public static final Penalties NONE = new Penalties(Map.of(), 0, 0, 1);

    public Penalties {
        logitBias = logitBias == null ? Map.of() : Map.copyOf(new TreeMap<>(logitBias));
        for (Map.Entry<Integer, Double> bias : logitBias.entrySet()) {
            if (bias.getKey() < 0 || !(Math.abs(bias.getValue()) <= 100)) {
                throw new IllegalArgumentException("logit bias " + bias + ": ids must be >= 0 and biases in [-100, 100]");
            }
        }
        if (!(Math.abs(frequency) <= 2) || !(Math.abs(presence) <= 2)) {
            throw new IllegalArgumentException("frequency and presence penalties must be in [-2, 2]");
        }
        if (!(repetition > 0) || Double.isInfinite(repetition)) {
            throw new IllegalArgumentException("the repetition penalty must be finite and > 0, was " + repetition);
        }
    }

    /** Whether these penalties change nothing (then {@link #apply} returns its argument). Not {@code isNone}: Jackson. */
    public boolean changesNothing() {
        return logitBias.isEmpty() && frequency == 0 && presence == 0 && repetition == 1;
    }

    /**
     * The processed logits for the position after {@code context[0..length)}.
     *
     * @param context      prompt tokens, then output tokens (committed, then the draft prefix being verified)
     * @param length       how many of {@code context} precede the position
     * @param promptLength how many of {@code context} are the prompt (they count for repetition only)
     * @return {@code logits} itself when nothing changes, else a new row
     */
    public float[] apply(float[] logits, int[] context, int length, int promptLength) {
        if (changesNothing()) {
            return logits;
        }
        float[] out = logits.clone();
        for (Map.Entry<Integer, Double> bias : logitBias.entrySet()) {
            if (bias.getKey() < out.length) {
                out[bias.getKey()] = (float) (out[bias.getKey()] + bias.getValue());
            }
        }
        if (repetition != 1) {
            boolean[] seen = new boolean[out.length];
            for (int i = 0; i < length; i++) {
                int token = context[i];
                if (token >= 0 && token < out.length && !seen[token]) {
                    seen[token] = true;
                    out[token] = (float) (out[token] > 0 ? out[token] / repetition : out[token] * repetition);
                }
            }
        }
        if (frequency != 0 || presence != 0) {
            int[] counts = new int[out.length];
            for (int i = promptLength; i < length; i++) {
                if (context[i] >= 0 && context[i] < out.length) {
                    counts[context[i]]++;
                }
            }
            for (int token = 0; token < out.length; token++) {
                if (counts[token] > 0) {
                    out[token] = (float) (out[token] - frequency * counts[token] - presence);
                }
            }
        }
        return out;
    }
}
