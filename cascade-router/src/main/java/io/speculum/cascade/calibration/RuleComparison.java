package io.speculum.cascade.calibration;

import static io.speculum.cascade.calibration.Figures.gapClosed;
import static io.speculum.cascade.calibration.Figures.mean;
import static io.speculum.cascade.calibration.Figures.pct;
import static io.speculum.cascade.calibration.Halves.qualities;
import static io.speculum.cascade.calibration.Halves.scores;

import io.speculum.cascade.deferral.DeferralCurve;
import io.speculum.cascade.deferral.DeferralRule;
import io.speculum.cascade.deferral.DeferralThreshold;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Every rule's deferral curve on the evaluation half against the random and oracle curves, as a table, and the rule
 * whose curve is best on the fit half (for the learned rule, its cross-validated area: its own fit area is in-sample).
 */
final class RuleComparison {

    /** The curves compared (the rules' in order, then random and oracle) and the rule chosen on the fit half. */
    record Compared(List<DeferralCurve> curves, DeferralCurve random, DeferralCurve oracle, DeferralRule best) {
    }

    private RuleComparison() {
    }

    /** @param learned the learned rule among {@code rules} as its search found it */
    static Compared report(PrintWriter out, List<DeferralRule> rules, LearnedRuleSearch.Result learned, Halves halves, double targetRate) {
        List<CalibrationExample> fit = halves.fit();
        List<CalibrationExample> evaluate = halves.evaluate();
        double[] smallQ = qualities(evaluate, true);
        double[] largeQ = qualities(evaluate, false);
        DeferralCurve random = DeferralCurve.random(smallQ, largeQ);
        DeferralCurve oracle = DeferralCurve.oracle(smallQ, largeQ);
        out.printf(Locale.ROOT, "evaluation split: always-small quality %.4f, always-large %.4f%n", mean(smallQ), mean(largeQ));
        out.printf(Locale.ROOT, "%-20s %8s %10s %11s %10s %12s %13s %12s%n", "curve", "area", "vs random", "gap closed", "min gain",
                "above rand.", "fit area", "t @ " + pct(targetRate));
        out.printf(Locale.ROOT, "%-20s %8.4f%n", "random", random.area());
        out.printf(Locale.ROOT, "%-20s %8.4f %+10.4f %10.1f%%%n", "oracle", oracle.area(), oracle.area() - random.area(), 100.0);
        List<DeferralCurve> curves = new ArrayList<>();
        DeferralRule best = null;
        double bestFitArea = Double.NEGATIVE_INFINITY;
        for (DeferralRule rule : rules) {
            boolean isLearned = rule == learned.rule();
            DeferralCurve curve = DeferralCurve.of(rule.name(), scores(rule, evaluate), smallQ, largeQ);
            double fitArea = isLearned ? learned.chosen().crossValidatedArea()
                    : DeferralCurve.of(rule.name(), scores(rule, fit), qualities(fit, true), qualities(fit, false)).area();
            double threshold = DeferralThreshold.forDeferralRate(scores(rule, fit), targetRate);
            curves.add(curve);
            out.printf(Locale.ROOT, "%-20s %8.4f %+10.4f %10.1f%% %+10.4f %12s %13s %12.4f%n", rule.name(), curve.area(),
                    curve.area() - random.area(), 100 * gapClosed(curve, random, oracle), curve.minimumGainOver(random),
                    curve.interiorRatesAtLeast(random) + "/" + (evaluate.size() - 1),
                    String.format(Locale.ROOT, isLearned ? "%.4f (cv)" : "%.4f", fitArea), threshold);
            if (fitArea > bestFitArea) {
                bestFitArea = fitArea;
                best = rule;
            }
        }
        out.printf("(gap closed: (area - random) / (oracle - random); min gain: the least quality above random at any rate "
                + "strictly between 0 and 1; above rand.: interior rates where the curve is not below random; thresholds "
                + "chosen on the fit split)%n");
        return new Compared(curves, random, oracle, best);
    }
}
