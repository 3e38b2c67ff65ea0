package io.speculum.cascade.deferral;

import java.nio.file.Path;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** Rules by name, as configuration and commands spell them. A rule is one {@link DeferralRule} class and one line in {@link #REGISTRY}. */
public final class DeferralRules {

    /**
     * One rule: how it is spelled (as the unknown-name error lists it), whether a name is its, and how the rule is made
     * from that name and the learned model file (null when none is configured).
     */
    private record Registration(String spelling, Predicate<String> matches, BiFunction<String, Path, DeferralRule> make) {

        static Registration named(String name, BiFunction<String, Path, DeferralRule> make) {
            return new Registration(name, name::equals, make);
        }

        static Registration prefixed(String prefix, String parameter, BiFunction<String, Path, DeferralRule> make) {
            return new Registration(prefix + parameter, name -> name.startsWith(prefix), make);
        }
    }

    /** Every rule, once. */
    private static final List<Registration> REGISTRY = List.of(
            Registration.named(ChowSum.NAME, (name, learnedModel) -> new ChowSum()),
            Registration.named(ChowAverage.NAME, (name, learnedModel) -> new ChowAverage()),
            Registration.prefixed(ChowQuantile.PREFIX, "<alpha>", (name, learnedModel) -> ChowQuantile.named(name)),
            Registration.named(LearnedDeferralRule.NAME, (name, learnedModel) -> LearnedDeferralRule.configured(learnedModel)));

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
        return REGISTRY.stream().filter(r -> r.matches().test(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown deferral rule '" + name + "'; known: " + known()))
                .make().apply(name, learnedModel);
    }

    /** How every rule is spelled, e.g. {@code chow-sum, chow-average, chow-quantile-<alpha>, learned}. */
    private static String known() {
        return REGISTRY.stream().map(Registration::spelling).collect(Collectors.joining(", "));
    }

    /** The fixed (not learned) rules a calibration reports on. */
    public static List<DeferralRule> chowRules() {
        return List.of(new ChowSum(), new ChowAverage(), new ChowQuantile(0), new ChowQuantile(0.1), new ChowQuantile(0.25),
                new ChowQuantile(0.5));
    }
}
