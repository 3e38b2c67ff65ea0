package io.speculum.cascade.calibration;

import io.speculum.cascade.deferral.AnswerUncertainty;
import io.speculum.cascade.deferral.DeferralCurve;
import io.speculum.cascade.deferral.LearnedDeferralRule;
import io.speculum.cascade.deferral.Quantiles;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Chooses the learned rule's model (logistic regression on "defer" labels, or ridge regression on the quality gained
 * by deferring) and its ridge penalty by k-fold cross-validation on the fit split alone: each candidate is fitted on
 * k - 1 folds and scored by the deferral-curve area on the held-out fold; the best mean area wins and is refitted on
 * the whole split. The evaluation split never takes part in the choice.
 */
public final class LearnedRuleSearch {

    /** How the rule is fitted. */
    public enum Kind {
        /** logistic regression on "defer" labels (gain above the training examples' median, or quality below a bar) */
        LOGISTIC,
        /** ridge regression on the quality gained by deferring */
        REGRESSION;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One candidate and its mean held-out deferral-curve area. */
    public record Candidate(Kind kind, double l2, double crossValidatedArea) {

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s l2=%s", kind.label(), l2);
        }
    }

    /** The chosen rule refitted on all examples, the candidate it came from, and every candidate's score. */
    public record Result(LearnedDeferralRule rule, Candidate chosen, List<Candidate> candidates) {
    }

    private final List<Kind> kinds;
    private final double[] penalties;
    private final int folds;
    private final Double goodQuality;

    /**
     * @param goodQuality with LOGISTIC, label "defer" where the small answer's quality is below it; null: where the
     *                    gain is above the training examples' median
     */
    public LearnedRuleSearch(List<Kind> kinds, double[] penalties, int folds, Double goodQuality) {
        if (kinds.isEmpty() || penalties.length == 0 || folds < 2) {
            throw new IllegalArgumentException("need a kind, a penalty and at least 2 folds");
        }
        for (double l2 : penalties) {
            if (!(l2 > 0) || Double.isInfinite(l2)) {
                throw new IllegalArgumentException("ridge penalties must be positive and finite, was " + l2);
            }
        }
        this.kinds = List.copyOf(kinds);
        this.penalties = penalties.clone();
        this.folds = folds;
        this.goodQuality = goodQuality;
    }

    public Result search(List<CalibrationExample> examples) {
        if (examples.size() < 2) {
            throw new IllegalArgumentException("need at least 2 examples to cross-validate, got " + examples.size());
        }
        int k = Math.min(folds, examples.size());
        List<Candidate> candidates = new ArrayList<>();
        Candidate best = null;
        for (Kind kind : kinds) {
            for (double l2 : penalties) {
                double area = 0;
                for (int fold = 0; fold < k; fold++) {
                    List<CalibrationExample> train = new ArrayList<>();
                    List<CalibrationExample> held = new ArrayList<>();
                    for (int i = 0; i < examples.size(); i++) {
                        (i % k == fold ? held : train).add(examples.get(i));
                    }
                    area += area(fit(train, kind, l2), held);
                }
                Candidate candidate = new Candidate(kind, l2, area / k);
                candidates.add(candidate);
                if (best == null || candidate.crossValidatedArea() > best.crossValidatedArea()) {
                    best = candidate;
                }
            }
        }
        return new Result(fit(examples, best.kind(), best.l2()), best, List.copyOf(candidates));
    }

    /** Fits one candidate on {@code train}. */
    public LearnedDeferralRule fit(List<CalibrationExample> train, Kind kind, double l2) {
        List<AnswerUncertainty> answers = train.stream().map(CalibrationExample::uncertainty).toList();
        double[] gains = train.stream().mapToDouble(e -> e.largeQuality() - e.smallQuality()).toArray();
        if (kind == Kind.REGRESSION) {
            return LearnedDeferralRule.fitGains(answers, gains, l2);
        }
        double median = Quantiles.of(gains, 0.5);
        boolean[] labels = new boolean[train.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = goodQuality != null ? train.get(i).smallQuality() < goodQuality : gains[i] > median;
        }
        return LearnedDeferralRule.fit(answers, labels, l2);
    }

    private static double area(LearnedDeferralRule rule, List<CalibrationExample> held) {
        double[] scores = held.stream().mapToDouble(e -> rule.score(e.uncertainty())).toArray();
        return DeferralCurve.of(rule.name(), scores, held.stream().mapToDouble(CalibrationExample::smallQuality).toArray(),
                held.stream().mapToDouble(CalibrationExample::largeQuality).toArray()).area();
    }
}
