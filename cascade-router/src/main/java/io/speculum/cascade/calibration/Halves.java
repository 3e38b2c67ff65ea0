package io.speculum.cascade.calibration;

import io.speculum.cascade.deferral.DeferralRule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** The calibration examples in two halves: one to fit rules and thresholds on, one to evaluate them on. */
record Halves(List<CalibrationExample> fit, List<CalibrationExample> evaluate) {

    /** Even positions to fit, odd ones to evaluate. */
    static Halves alternating(List<CalibrationExample> examples) {
        List<CalibrationExample> fit = new ArrayList<>();
        List<CalibrationExample> evaluate = new ArrayList<>();
        for (int i = 0; i < examples.size(); i++) {
            (i % 2 == 0 ? fit : evaluate).add(examples.get(i));
        }
        return new Halves(fit, evaluate);
    }

    /** A random halving: the first half of a shuffle to fit. */
    static Halves shuffled(List<CalibrationExample> examples, Random random) {
        List<CalibrationExample> shuffled = new ArrayList<>(examples);
        Collections.shuffle(shuffled, random);
        return new Halves(shuffled.subList(0, shuffled.size() / 2), shuffled.subList(shuffled.size() / 2, shuffled.size()));
    }

    static double[] scores(DeferralRule rule, List<CalibrationExample> examples) {
        return examples.stream().mapToDouble(e -> rule.score(e.uncertainty())).toArray();
    }

    static double[] qualities(List<CalibrationExample> examples, boolean small) {
        return examples.stream().mapToDouble(e -> small ? e.smallQuality() : e.largeQuality()).toArray();
    }
}
