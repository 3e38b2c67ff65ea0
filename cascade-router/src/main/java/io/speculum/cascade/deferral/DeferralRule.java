package io.speculum.cascade.deferral;

/**
 * Turns the small model's answer statistics into a deferral score: the higher, the less the small answer should be
 * trusted. A request is deferred to the large model when its score is above the threshold. Every rule scores an
 * empty answer {@code +Infinity} (there is nothing to return).
 */
public interface DeferralRule {

    /** The name used in configuration, metrics and reports, e.g. {@code chow-quantile-0.1}. */
    String name();

    double score(AnswerUncertainty answer);
}
