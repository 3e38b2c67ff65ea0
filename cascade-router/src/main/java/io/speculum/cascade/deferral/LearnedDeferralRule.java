package io.speculum.cascade.deferral;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The learned post-hoc rule over {@link DeferralFeatures}: either a logistic regression fitted on calibration
 * examples labelled "the small answer is not good enough" (scoring the probability that it is not), or a ridge
 * regression fitted on the quality each example gains by deferring (scoring the predicted gain). Saved as JSON
 * ({@link Saved}), which the router loads.
 */
public final class LearnedDeferralRule implements DeferralRule {

    public static final String NAME = "learned";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * The file format: {@code {"kind":"logistic-regression"|"ridge-regression","features":[…],"means":[…],"scales":[…],
     * "weights":[…],"bias":…}}.
     */
    public record Saved(String kind, List<String> features, double[] means, double[] scales, double[] weights, Double bias) {
    }

    private final FeatureModel model;

    public LearnedDeferralRule(FeatureModel model) {
        if (!model.features().equals(DeferralFeatures.names())) {
            throw new IllegalArgumentException("the model's features " + model.features() + " are not this version's "
                    + DeferralFeatures.names() + "; fit it again");
        }
        this.model = model;
    }

    /**
     * Fits the rule on answers labelled {@code notGood[i]} (true: the small answer should have been deferred).
     * Empty answers are left out (every rule defers them anyway).
     */
    public static LearnedDeferralRule fit(List<AnswerUncertainty> answers, boolean[] notGood, double l2) {
        if (answers.size() != notGood.length) {
            throw new IllegalArgumentException(answers.size() + " answers but " + notGood.length + " labels");
        }
        int[] usable = nonEmpty(answers);
        boolean[] y = new boolean[usable.length];
        for (int k = 0; k < usable.length; k++) {
            y[k] = notGood[usable[k]];
        }
        return new LearnedDeferralRule(LogisticRegression.fit(DeferralFeatures.names(), features(answers, usable), y, l2));
    }

    /**
     * Fits the rule on the quality {@code gains[i]} that deferring answer {@code i} brings (large-answer quality minus
     * small-answer quality). Empty answers are left out.
     */
    public static LearnedDeferralRule fitGains(List<AnswerUncertainty> answers, double[] gains, double l2) {
        if (answers.size() != gains.length) {
            throw new IllegalArgumentException(answers.size() + " answers but " + gains.length + " gains");
        }
        int[] usable = nonEmpty(answers);
        double[] y = new double[usable.length];
        for (int k = 0; k < usable.length; k++) {
            y[k] = gains[usable[k]];
        }
        return new LearnedDeferralRule(RidgeRegression.fit(DeferralFeatures.names(), features(answers, usable), y, l2));
    }

    private static int[] nonEmpty(List<AnswerUncertainty> answers) {
        int[] usable = java.util.stream.IntStream.range(0, answers.size()).filter(i -> !answers.get(i).isEmpty()).toArray();
        if (usable.length == 0) {
            throw new IllegalArgumentException("no non-empty answers to fit on");
        }
        return usable;
    }

    private static double[][] features(List<AnswerUncertainty> answers, int[] usable) {
        double[][] x = new double[usable.length][];
        for (int k = 0; k < usable.length; k++) {
            x[k] = DeferralFeatures.of(answers.get(usable[k]));
        }
        return x;
    }

    public FeatureModel model() {
        return model;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public double score(AnswerUncertainty answer) {
        return answer.isEmpty() ? Double.POSITIVE_INFINITY : model.score(DeferralFeatures.of(answer));
    }

    public void save(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), new Saved(model.kind(), model.features(), model.means(),
                    model.scales(), model.weights(), model.bias()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** The rule a router is configured with: loaded from {@code file}, which the configuration must name. */
    static LearnedDeferralRule configured(Path file) {
        if (file == null) {
            throw new IllegalArgumentException("the learned rule needs its model file (fit one with the calibrate command)");
        }
        return load(file);
    }

    /** Loads a saved rule; a missing, malformed or incompatible file fails with a message naming it. */
    public static LearnedDeferralRule load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("the learned deferral rule " + file.toAbsolutePath() + " does not exist");
        }
        Saved saved;
        try {
            saved = JSON.readValue(file.toFile(), Saved.class);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("the learned deferral rule " + file + " is not readable: " + e.getOriginalMessage(), e);
        }
        boolean known = LogisticRegression.KIND.equals(saved.kind()) || RidgeRegression.KIND.equals(saved.kind());
        if (!known || saved.features() == null || saved.means() == null || saved.scales() == null || saved.weights() == null
                || saved.bias() == null) {
            throw new IllegalArgumentException("the learned deferral rule " + file + " is not a " + LogisticRegression.KIND
                    + " or " + RidgeRegression.KIND + " model");
        }
        try {
            FeatureModel model = LogisticRegression.KIND.equals(saved.kind())
                    ? new LogisticRegression(saved.features(), saved.means(), saved.scales(), saved.weights(), saved.bias())
                    : new RidgeRegression(saved.features(), saved.means(), saved.scales(), saved.weights(), saved.bias());
            return new LearnedDeferralRule(model);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the learned deferral rule " + file + ": " + e.getMessage(), e);
        }
    }
}
