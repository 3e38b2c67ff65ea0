package io.speculum.cascade.deferral;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The feature vector of the learned post-hoc rule (after Gupta et al.): quantiles of the token log-probabilities,
 * their mean, the answer length, quantiles of the entropies and top-2 margins, and summaries of the whole answer
 * (mean entropy, margin, probability and log(1 - p) of the chosen tokens, mean entropy minus surprisal, the shares
 * of tokens with surprisal above 1 and 2 nats and with entropy above 1.5 nats). Values are clipped to finite ranges
 * (a margin is +Infinity where only one token was possible).
 */
public final class DeferralFeatures {

    static final double[] LOG_PROB_QUANTILES = {0, 0.05, 0.1, 0.25, 0.5, 0.75, 1};
    static final double[] ENTROPY_QUANTILES = {0.5, 0.9, 1};
    static final double[] MARGIN_QUANTILES = {0, 0.5};
    private static final double MAX_SURPRISAL = 50;
    private static final double MAX_MARGIN = 50;
    private static final double MIN_COMPLEMENT = 1e-9;

    private static final List<String> NAMES = buildNames();

    private DeferralFeatures() {
    }

    public static List<String> names() {
        return NAMES;
    }

    private static List<String> buildNames() {
        List<String> names = new ArrayList<>();
        for (double a : LOG_PROB_QUANTILES) {
            names.add(String.format(Locale.ROOT, "logprob-q%s", a));
        }
        names.add("logprob-mean");
        names.add("log-length");
        for (double a : ENTROPY_QUANTILES) {
            names.add(String.format(Locale.ROOT, "entropy-q%s", a));
        }
        for (double a : MARGIN_QUANTILES) {
            names.add(String.format(Locale.ROOT, "margin-q%s", a));
        }
        names.addAll(List.of("entropy-mean", "margin-mean", "prob-mean", "log-complement-prob-mean", "entropy-minus-surprisal-mean",
                "share-surprisal-above-1", "share-surprisal-above-2", "share-entropy-above-1.5"));
        return List.copyOf(names);
    }

    /** The features of a non-empty answer, in the order of {@link #names()}. */
    public static double[] of(AnswerUncertainty answer) {
        if (answer.isEmpty()) {
            throw new IllegalArgumentException("an empty answer has no features");
        }
        double[] logProbs = clip(answer.logProbs(), -MAX_SURPRISAL, 0);
        double[] entropies = clip(answer.entropies(), 0, MAX_SURPRISAL);
        double[] margins = clip(answer.margins(), 0, MAX_MARGIN);
        double[] sortedLogProbs = Quantiles.sorted(logProbs);
        double[] sortedEntropies = Quantiles.sorted(entropies);
        double[] sortedMargins = Quantiles.sorted(margins);
        double[] features = new double[names().size()];
        int i = 0;
        for (double a : LOG_PROB_QUANTILES) {
            features[i++] = Quantiles.ofSorted(sortedLogProbs, a);
        }
        double sum = 0;
        for (double l : logProbs) {
            sum += l;
        }
        features[i++] = sum / logProbs.length;
        features[i++] = Math.log(logProbs.length);
        for (double a : ENTROPY_QUANTILES) {
            features[i++] = Quantiles.ofSorted(sortedEntropies, a);
        }
        for (double a : MARGIN_QUANTILES) {
            features[i++] = Quantiles.ofSorted(sortedMargins, a);
        }
        double n = logProbs.length;
        double entropy = 0;
        double margin = 0;
        double probability = 0;
        double logComplement = 0;
        double excess = 0;
        int above1 = 0;
        int above2 = 0;
        int uncertain = 0;
        for (int t = 0; t < logProbs.length; t++) {
            double p = Math.exp(logProbs[t]);
            entropy += entropies[t];
            margin += margins[t];
            probability += p;
            logComplement += Math.log(Math.max(MIN_COMPLEMENT, 1 - p)); // a sure token (p = 1) would be -Infinity
            excess += entropies[t] + logProbs[t];
            above1 += -logProbs[t] > 1 ? 1 : 0;
            above2 += -logProbs[t] > 2 ? 1 : 0;
            uncertain += entropies[t] > 1.5 ? 1 : 0;
        }
        features[i++] = entropy / n;
        features[i++] = margin / n;
        features[i++] = probability / n;
        features[i++] = logComplement / n;
        features[i++] = excess / n;
        features[i++] = above1 / n;
        features[i++] = above2 / n;
        features[i++] = uncertain / n;
        return features;
    }

    private static double[] clip(double[] values, double low, double high) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            out[i] = Double.isNaN(v) ? low : Math.max(low, Math.min(high, v));
        }
        return out;
    }
}
