package io.speculum.cascade.calibration;

import io.speculum.cascade.deferral.DeferralCurve;
import java.util.Arrays;
import java.util.Locale;

/** The figures the calibration report prints, computed and formatted one way. */
final class Figures {

    private Figures() {
    }

    /** The share of the random-to-oracle gap a curve closes (0 where there is no gap). */
    static double gapClosed(DeferralCurve curve, DeferralCurve random, DeferralCurve oracle) {
        double gap = oracle.area() - random.area();
        return gap <= 0 ? 0 : (curve.area() - random.area()) / gap;
    }

    static double mean(double[] values) {
        return Arrays.stream(values).average().orElse(0);
    }

    static String pct(double fraction) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * fraction);
    }
}
