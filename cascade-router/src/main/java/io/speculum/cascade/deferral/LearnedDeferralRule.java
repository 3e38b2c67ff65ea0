package io.speculum.cascade.deferral;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The learned post-hoc rule: a logistic regression over {@link DeferralFeatures}, fitted on calibration examples
 * labelled "the small answer is not good enough", scoring the probability that the small answer is not good. Saved
 * as JSON ({@link Saved}), which the router loads.
 */
public final class LearnedDeferralRule implements DeferralRule {

    public static final String NAME = "learned";
    public static final String KIND = "logistic-regression";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The file format: {@code {"kind":"logistic-regression","features":[…],"means":[…],"scales":[…],"weights":[…],"bias":…}}. */
    public record Saved(String kind, List<String> features, double[] means, double[] scales, double[] weights, Double bias) {
    }

    private final LogisticRegression model;

    public LearnedDeferralRule(LogisticRegression model) {
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
        List<Integer> usable = java.util.stream.IntStream.range(0, answers.size()).filter(i -> !answers.get(i).isEmpty()).boxed().toList();
        double[][] x = new double[usable.size()][];
        boolean[] y = new boolean[usable.size()];
        for (int k = 0; k < usable.size(); k++) {
            x[k] = DeferralFeatures.of(answers.get(usable.get(k)));
            y[k] = notGood[usable.get(k)];
        }
        return new LearnedDeferralRule(LogisticRegression.fit(DeferralFeatures.names(), x, y, l2));
    }

    public LogisticRegression model() {
        return model;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public double score(AnswerUncertainty answer) {
        return answer.isEmpty() ? Double.POSITIVE_INFINITY : model.probability(DeferralFeatures.of(answer));
    }

    public void save(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), new Saved(KIND, model.features(), model.means(),
                    model.scales(), model.weights(), model.bias()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
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
        if (!KIND.equals(saved.kind()) || saved.features() == null || saved.means() == null || saved.scales() == null
                || saved.weights() == null || saved.bias() == null) {
            throw new IllegalArgumentException("the learned deferral rule " + file + " is not a " + KIND + " model");
        }
        try {
            return new LearnedDeferralRule(new LogisticRegression(saved.features(), saved.means(), saved.scales(), saved.weights(),
                    saved.bias()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the learned deferral rule " + file + ": " + e.getMessage(), e);
        }
    }
}
