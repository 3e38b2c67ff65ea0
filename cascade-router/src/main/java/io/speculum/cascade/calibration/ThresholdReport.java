package io.speculum.cascade.calibration;

import static io.speculum.cascade.calibration.Figures.mean;
import static io.speculum.cascade.calibration.Figures.pct;
import static io.speculum.cascade.calibration.Halves.qualities;
import static io.speculum.cascade.calibration.Halves.scores;

import io.speculum.cascade.deferral.DeferralRule;
import io.speculum.cascade.deferral.DeferralThreshold;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * What the chosen rule does on the evaluation half with the threshold picked on the fit half, for the target deferral
 * rate and for a cost budget, and how many large-model passes the speculative cascade saves.
 */
final class ThresholdReport {

    private ThresholdReport() {
    }

    /** @param costBudget completion tokens per request to pick a second threshold for, or null */
    static void report(PrintWriter out, DeferralRule best, Halves halves, double targetRate, Double costBudget, int draftTokens) {
        List<CalibrationExample> fit = halves.fit();
        List<CalibrationExample> evaluate = halves.evaluate();
        double[] smallQ = qualities(evaluate, true);
        double[] largeQ = qualities(evaluate, false);
        double threshold = DeferralThreshold.forDeferralRate(scores(best, fit), targetRate);
        double[] evaluationScores = scores(best, evaluate);
        double reached = 0;
        int deferred = 0;
        int speculative = 0;
        int scratch = 0;
        for (int i = 0; i < evaluate.size(); i++) {
            boolean defer = evaluationScores[i] > threshold;
            reached += defer ? largeQ[i] : smallQ[i];
            if (defer) {
                deferred++;
                speculative += evaluate.get(i).speculativeRounds();
                scratch += evaluate.get(i).scratchRounds();
            }
        }
        reached /= evaluate.size();
        out.printf(Locale.ROOT, "best rule on the fit split: %s; threshold for %s deferral %.6f: on the evaluation split it defers "
                + "%d of %d (%s) and reaches quality %.4f = %.1f%% of always-large (always-small %.1f%%)%n", best.name(),
                pct(targetRate), threshold, deferred, evaluate.size(), pct((double) deferred / evaluate.size()), reached,
                100 * reached / mean(largeQ), 100 * mean(smallQ) / mean(largeQ));
        if (costBudget != null) {
            reportCostBudget(out, best, halves, costBudget, evaluationScores, smallQ, largeQ);
        }
        int allSpeculative = evaluate.stream().mapToInt(CalibrationExample::speculativeRounds).sum();
        int allScratch = evaluate.stream().mapToInt(CalibrationExample::scratchRounds).sum();
        out.printf(Locale.ROOT, "speculative cascade (small answer as draft, k = %d): large-model passes after the prefill for the "
                + "deferred requests %d instead of %d from scratch (%s saved); for all evaluation prompts %d instead of %d (%s saved)%n",
                draftTokens, speculative, scratch, pct(scratch == 0 ? 0 : 1 - (double) speculative / scratch), allSpeculative, allScratch,
                pct(1 - (double) allSpeculative / allScratch));
    }

    private static void reportCostBudget(PrintWriter out, DeferralRule best, Halves halves, double costBudget, double[] evaluationScores,
                                         double[] smallQ, double[] largeQ) {
        List<CalibrationExample> fit = halves.fit();
        List<CalibrationExample> evaluate = halves.evaluate();
        double smallCost = fit.stream().mapToInt(CalibrationExample::smallTokens).average().orElse(0);
        double largeCost = Math.max(1e-9, fit.stream().mapToInt(CalibrationExample::largeTokens).average().orElse(0));
        double budgetThreshold = DeferralThreshold.forCostBudget(scores(best, fit), smallCost, largeCost, costBudget);
        double rate = DeferralThreshold.deferralRate(evaluationScores, budgetThreshold);
        double spent = 0;
        double budgetQuality = 0;
        for (int i = 0; i < evaluate.size(); i++) {
            boolean defer = evaluationScores[i] > budgetThreshold;
            spent += evaluate.get(i).smallTokens() + (defer ? evaluate.get(i).largeTokens() : 0);
            budgetQuality += defer ? largeQ[i] : smallQ[i];
        }
        out.printf(Locale.ROOT, "cost budget %.1f tokens per request (small %.1f, large %.1f on the fit split): %s threshold %.6f "
                + "defers %s of the evaluation split, spends %.1f tokens per request, quality %.4f%n", costBudget, smallCost,
                largeCost, best.name(), budgetThreshold, pct(rate), spent / evaluate.size(), budgetQuality / evaluate.size());
    }
}
