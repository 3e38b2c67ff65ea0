package io.speculum.cascade.calibration;

import static io.speculum.cascade.calibration.Figures.gapClosed;
import static io.speculum.cascade.calibration.Figures.mean;
import static io.speculum.cascade.calibration.Halves.qualities;
import static io.speculum.cascade.calibration.Halves.scores;

import io.speculum.cascade.deferral.DeferralCurve;
import io.speculum.cascade.deferral.DeferralRule;
import io.speculum.cascade.deferral.DeferralRules;
import io.speculum.cascade.deferral.LearnedDeferralRule;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The rules' comparison over random halvings of all examples (the learned rule searched anew on each fit half): how
 * much of the single split's result is the luck of that split.
 */
final class ResplitReport {

    private ResplitReport() {
    }

    static void report(PrintWriter out, List<CalibrationExample> examples, LearnedRuleSearch search, int resplits, long seed) {
        List<DeferralRule> chow = DeferralRules.chowRules();
        double[][] gaps = new double[chow.size() + 1][resplits];
        int learnedAboveEverywhere = 0;
        Random random = new Random(seed);
        for (int split = 0; split < resplits; split++) {
            Halves halves = Halves.shuffled(examples, random);
            double[] smallQ = qualities(halves.evaluate(), true);
            double[] largeQ = qualities(halves.evaluate(), false);
            DeferralCurve randomCurve = DeferralCurve.random(smallQ, largeQ);
            DeferralCurve oracleCurve = DeferralCurve.oracle(smallQ, largeQ);
            List<DeferralRule> rules = new ArrayList<>(chow);
            rules.add(search.search(halves.fit()).rule()); // the learned rule last
            DeferralCurve curve = null;
            for (int r = 0; r < rules.size(); r++) {
                curve = DeferralCurve.of(rules.get(r).name(), scores(rules.get(r), halves.evaluate()), smallQ, largeQ);
                gaps[r][split] = gapClosed(curve, randomCurve, oracleCurve);
            }
            if (curve.minimumGainOver(randomCurve) >= 0) {
                learnedAboveEverywhere++;
            }
        }
        out.printf(Locale.ROOT, "over %d random halvings (seed %d): gap closed mean ± sd (min)%n", resplits, seed);
        for (int r = 0; r <= chow.size(); r++) {
            double[] g = gaps[r];
            double mean = mean(g);
            double sd = Math.sqrt(Arrays.stream(g).map(v -> (v - mean) * (v - mean)).sum() / g.length);
            out.printf(Locale.ROOT, "  %-20s %5.1f%% ± %4.1f%% (%5.1f%%)%n", r < chow.size() ? chow.get(r).name() : LearnedDeferralRule.NAME,
                    100 * mean, 100 * sd, 100 * Arrays.stream(g).min().orElse(0));
        }
        out.printf(Locale.ROOT, "  learned is at or above random at every rate in %d of %d halvings%n", learnedAboveEverywhere, resplits);
    }
}
