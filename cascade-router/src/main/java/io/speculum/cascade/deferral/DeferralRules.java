package io.speculum.cascade.deferral;

import java.nio.file.Path;
import java.util.List;

/** Rules by name, as configuration and commands spell them. */
public final class DeferralRules {

    private DeferralRules() {
    }

    /**
     * {@code chow-sum}, {@code chow-average}, {@code chow-quantile-<α>} (e.g. {@code chow-quantile-0.1}) or
     * {@code learned} (loaded from {@code learnedModel}).
     */
    public static DeferralRule byName(String name, Path learnedModel) {
        if (name == null) {
            throw new IllegalArgumentException("no deferral rule named");
        }
        if (name.equals(ChowSum.NAME)) {
            return new ChowSum();
        }
        if (name.equals(ChowAverage.NAME)) {
            return new ChowAverage();
        }
        if (name.startsWith(ChowQuantile.PREFIX)) {
            try {
                return new ChowQuantile(Double.parseDouble(name.substring(ChowQuantile.PREFIX.length())));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + name + "': the quantile must be a number in [0, 1]", e);
            }
        }
        if (name.equals(LearnedDeferralRule.NAME)) {
            if (learnedModel == null) {
                throw new IllegalArgumentException("the learned rule needs its model file (fit one with the calibrate command)");
            }
            return LearnedDeferralRule.load(learnedModel);
        }
        throw new IllegalArgumentException("unknown deferral rule '" + name + "'; known: chow-sum, chow-average, "
                + "chow-quantile-<alpha>, learned");
    }

    /** The fixed (not learned) rules a calibration reports on. */
    public static List<DeferralRule> chowRules() {
        return List.of(new ChowSum(), new ChowAverage(), new ChowQuantile(0), new ChowQuantile(0.1), new ChowQuantile(0.25),
                new ChowQuantile(0.5));
    }
}
