package io.speculum.cascade.calibration;

import io.speculum.cascade.deferral.AnswerUncertainty;
import io.speculum.cascade.deferral.DeferralCurve;
import io.speculum.cascade.deferral.DeferralRule;
import io.speculum.cascade.deferral.DeferralRules;
import io.speculum.cascade.deferral.DeferralThreshold;
import io.speculum.cascade.deferral.LearnedDeferralRule;
import io.speculum.llama.Model;
import io.speculum.protocol.GenerationEvent.FinishReason;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code cascade-router calibrate}: answers a prompt set with the small and the large model (in this process), judges
 * each small answer, and reports the deferral curve of every rule on a held-out split (its area against the random
 * and oracle curves), fits the learned rule on the other split, picks the threshold for a target deferral rate, and
 * counts the large-model passes the speculative cascade saves. Writes a PNG of the curves and the learned rule's JSON.
 */
@Command(name = "calibrate", mixinStandardHelpOptions = true,
        description = "Deferral curves per rule, learned rule, threshold for a target deferral rate, speculative-cascade savings.")
public final class CalibrateCommand implements Callable<Integer> {

    enum Quality { AGREEMENT, LIKELIHOOD }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--prompts", required = true, description = "JSONL with \"id\" and \"prompt\" per line")
    Path prompts;

    @Option(names = "--small", required = true, description = "the small model's GGUF")
    Path small;

    @Option(names = "--large", required = true, description = "the large model's GGUF")
    Path large;

    @Option(names = "--small-prompt-suffix", defaultValue = "",
            description = "appended to prompts for the small model only, as speculum.cascade.small-prompt-suffix (\" \" for TinyStories-656K)")
    String smallPromptSuffix;

    @Option(names = "--limit", defaultValue = "0", description = "use the first N prompts (0: all)")
    int limit;

    @Option(names = "--max-tokens", defaultValue = "48", description = "completion tokens per answer (default ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--quality", defaultValue = "AGREEMENT",
            description = "AGREEMENT: token F1 of the first sentence with the large model's answer; LIKELIHOOD: the large model's "
                    + "per-token likelihood (exp of the mean log-probability) of the answer (default ${DEFAULT-VALUE})")
    Quality quality;

    @Option(names = "--judgements", description = "JSONL with \"id\", \"quality\" (of the small answer) and optionally "
            + "\"largeQuality\" (default 1): your own judgements instead of --quality")
    Path judgements;

    @Option(names = "--target-rate", defaultValue = "0.3", description = "deferral rate to pick a threshold for (default ${DEFAULT-VALUE})")
    double targetRate;

    @Option(names = "--cost-budget", description = "also pick the threshold for this many completion tokens per request on "
            + "average (every request pays its small answer's tokens, a deferred one also the large answer's)")
    Double costBudget;

    @Option(names = "--good-quality", description = "small answers below this quality are labelled 'defer' to fit the learned "
            + "rule (default: those whose deferral gains more quality than the fit split's median gain)")
    Double goodQuality;

    @Option(names = "--l2", defaultValue = "0.01", description = "ridge penalty of the learned rule (default ${DEFAULT-VALUE})")
    double l2;

    @Option(names = "--draft-tokens", defaultValue = "8", description = "chunk length k when verifying the small answer (default ${DEFAULT-VALUE})")
    int draftTokens;

    @Option(names = "--plot", defaultValue = "deferral-curves.png", description = "the PNG to write (default ${DEFAULT-VALUE})")
    Path plot;

    @Option(names = "--learned-out", defaultValue = "learned-rule.json", description = "where to save the learned rule (default ${DEFAULT-VALUE})")
    Path learnedOut;

    /** Runs the command line; returns the exit code (0 done, 1 failed, 2 bad usage). */
    public static int run(String... args) {
        return new CommandLine(new CalibrateCommand()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    }

    @Override
    public Integer call() {
        System.setProperty("java.awt.headless", "true");
        PrintWriter out = spec.commandLine().getOut();
        if (!(targetRate >= 0 && targetRate <= 1) || maxTokens < 1 || draftTokens < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--target-rate must be in [0, 1], --max-tokens and --draft-tokens >= 1");
        }
        List<String[]> promptSet = readPrompts();
        Map<String, double[]> judged = judgements == null ? null : readJudgements();
        List<CalibrationExample> examples = new ArrayList<>();
        long started = System.nanoTime();
        try (Model smallModel = Model.load(small); Model largeModel = Model.load(large);
             InProcessGenerator smallGenerator = new InProcessGenerator(smallModel);
             InProcessGenerator largeGenerator = new InProcessGenerator(largeModel)) {
            for (String[] prompt : promptSet) {
                if (judged != null && !judged.containsKey(prompt[0])) {
                    continue;
                }
                examples.add(example(prompt[0], prompt[1], smallGenerator, largeGenerator, judged));
            }
        }
        if (examples.size() < 4) {
            throw new CommandLine.ParameterException(spec.commandLine(), "need at least 4 judged prompts, got " + examples.size());
        }
        List<CalibrationExample> fit = new ArrayList<>();
        List<CalibrationExample> evaluate = new ArrayList<>();
        for (int i = 0; i < examples.size(); i++) {
            (i % 2 == 0 ? fit : evaluate).add(examples.get(i));
        }
        out.printf(Locale.ROOT, "%d prompts answered in %.1f s: small %s, large %s, %d tokens each; quality: %s%n", examples.size(),
                (System.nanoTime() - started) / 1e9, small.getFileName(), large.getFileName(), maxTokens,
                judged != null ? "judgements from " + judgements : quality == Quality.AGREEMENT
                        ? "token F1 of the first sentence with the large model's answer" : "large-model per-token likelihood");
        out.printf(Locale.ROOT, "fit split %d prompts (even positions), evaluation split %d (odd positions)%n", fit.size(), evaluate.size());

        // label "defer" where deferring gains more than it does for half the fit split (or, with --good-quality, where
        // the small answer is below that quality)
        double[] gains = fit.stream().mapToDouble(e -> e.largeQuality() - e.smallQuality()).toArray();
        double medianGain = io.speculum.cascade.deferral.Quantiles.of(gains, 0.5);
        boolean[] labels = new boolean[fit.size()];
        for (int i = 0; i < fit.size(); i++) {
            labels[i] = goodQuality != null ? fit.get(i).smallQuality() < goodQuality : gains[i] > medianGain;
        }
        LearnedDeferralRule learned = LearnedDeferralRule.fit(fit.stream().map(CalibrationExample::uncertainty).toList(), labels, l2);
        learned.save(learnedOut);
        List<DeferralRule> rules = new ArrayList<>(DeferralRules.chowRules());
        rules.add(learned);

        double[] smallQ = qualities(evaluate, true);
        double[] largeQ = qualities(evaluate, false);
        DeferralCurve random = DeferralCurve.random(smallQ, largeQ);
        DeferralCurve oracle = DeferralCurve.oracle(smallQ, largeQ);
        out.printf(Locale.ROOT, "evaluation split: always-small quality %.4f, always-large %.4f%n", mean(smallQ), mean(largeQ));
        out.printf(Locale.ROOT, "%-20s %8s %10s %11s %10s %13s %12s%n", "curve", "area", "vs random", "gap closed", "min gain",
                "fit area", "t @ " + pct(targetRate));
        out.printf(Locale.ROOT, "%-20s %8.4f%n", "random", random.area());
        out.printf(Locale.ROOT, "%-20s %8.4f %+10.4f %10.1f%%%n", "oracle", oracle.area(), oracle.area() - random.area(), 100.0);
        List<DeferralCurve> curves = new ArrayList<>();
        DeferralRule best = null;
        double bestFitArea = Double.NEGATIVE_INFINITY;
        for (DeferralRule rule : rules) {
            DeferralCurve curve = DeferralCurve.of(rule.name(), scores(rule, evaluate), smallQ, largeQ);
            DeferralCurve fitCurve = DeferralCurve.of(rule.name(), scores(rule, fit), qualities(fit, true), qualities(fit, false));
            double threshold = DeferralThreshold.forDeferralRate(scores(rule, fit), targetRate);
            curves.add(curve);
            out.printf(Locale.ROOT, "%-20s %8.4f %+10.4f %10.1f%% %+10.4f %13.4f %12.4f%n", rule.name(), curve.area(),
                    curve.area() - random.area(), 100 * gapClosed(curve, random, oracle), curve.minimumGainOver(random),
                    fitCurve.area(), threshold);
            if (fitCurve.area() > bestFitArea) {
                bestFitArea = fitCurve.area();
                best = rule;
            }
        }
        out.printf("(gap closed: (area - random) / (oracle - random); min gain: the least quality above random at any rate "
                + "strictly between 0 and 1; thresholds chosen on the fit split)%n");

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
        int allSpeculative = evaluate.stream().mapToInt(CalibrationExample::speculativeRounds).sum();
        int allScratch = evaluate.stream().mapToInt(CalibrationExample::scratchRounds).sum();
        out.printf(Locale.ROOT, "speculative cascade (small answer as draft, k = %d): large-model passes after the prefill for the "
                + "deferred requests %d instead of %d from scratch (%s saved); for all evaluation prompts %d instead of %d (%s saved)%n",
                draftTokens, speculative, scratch, pct(scratch == 0 ? 0 : 1 - (double) speculative / scratch), allSpeculative, allScratch,
                pct(1 - (double) allSpeculative / allScratch));
        List<DeferralCurve> plotted = new ArrayList<>(curves);
        plotted.add(random);
        plotted.add(oracle);
        DeferralPlot.write(plot, "Deferral curves, evaluation split (" + evaluate.size() + " prompts)", plotted);
        out.printf("wrote %s and %s (use it with speculum.cascade.rule=learned, speculum.cascade.learned-model=%s)%n",
                plot.toAbsolutePath(), learnedOut.toAbsolutePath(), learnedOut.toAbsolutePath());
        out.flush();
        return 0;
    }

    private CalibrationExample example(String id, String prompt, InProcessGenerator smallGenerator, InProcessGenerator largeGenerator,
                                       Map<String, double[]> judged) {
        InProcessGenerator.Generated smallAnswer = smallGenerator.generate(prompt + smallPromptSuffix, maxTokens);
        String smallText = smallPromptSuffix + smallAnswer.text();
        InProcessGenerator.Generated largeAnswer = largeGenerator.generate(prompt, maxTokens);
        double smallQuality;
        double largeQuality;
        if (judged != null) {
            smallQuality = judged.get(id)[0];
            largeQuality = judged.get(id)[1];
        } else if (quality == Quality.AGREEMENT) {
            smallQuality = AnswerAgreement.firstSentenceF1(smallText, largeAnswer.text());
            largeQuality = 1;
        } else {
            smallQuality = likelihood(largeGenerator, prompt, smallText);
            largeQuality = likelihood(largeGenerator, prompt, largeAnswer.text());
        }
        int[] hint = DraftTextReplay.hintTokens(largeGenerator.model(), prompt, largeAnswer.promptTokens(), smallText);
        boolean stopped = largeAnswer.finish() == FinishReason.STOP;
        DraftTextReplay withHint = DraftTextReplay.of(largeAnswer.promptTokens(), largeAnswer.tokens(), stopped, maxTokens, hint, draftTokens);
        DraftTextReplay alone = DraftTextReplay.of(largeAnswer.promptTokens(), largeAnswer.tokens(), stopped, maxTokens, new int[0], draftTokens);
        return new CalibrationExample(id, AnswerUncertainty.of(smallAnswer.confidence()), smallQuality, largeQuality,
                smallAnswer.tokens().length, largeAnswer.tokens().length, alone.rounds(), withHint.rounds());
    }

    private static double likelihood(InProcessGenerator generator, String prompt, String answer) {
        double mean = generator.meanLogLikelihood(prompt, answer);
        return Double.isNaN(mean) ? 0 : Math.exp(mean);
    }

    private List<String[]> readPrompts() {
        List<String[]> result = new ArrayList<>();
        for (JsonNode line : readJsonLines(prompts)) {
            if (!line.hasNonNull("id") || !line.hasNonNull("prompt")) {
                throw new CommandLine.ParameterException(spec.commandLine(), prompts + ": every line needs \"id\" and \"prompt\"");
            }
            result.add(new String[] {line.get("id").asString(), line.get("prompt").asString()});
            if (limit > 0 && result.size() == limit) {
                break;
            }
        }
        return result;
    }

    private Map<String, double[]> readJudgements() {
        Map<String, double[]> result = new HashMap<>();
        for (JsonNode line : readJsonLines(judgements)) {
            if (!line.hasNonNull("id") || !line.path("quality").isNumber()) {
                throw new CommandLine.ParameterException(spec.commandLine(), judgements + ": every line needs \"id\" and a numeric \"quality\"");
            }
            result.put(line.get("id").asString(), new double[] {line.get("quality").asDouble(),
                line.path("largeQuality").isNumber() ? line.get("largeQuality").asDouble() : 1});
        }
        return result;
    }

    private List<JsonNode> readJsonLines(Path file) {
        try {
            List<JsonNode> nodes = new ArrayList<>();
            for (String line : Files.readAllLines(file)) {
                if (!line.isBlank()) {
                    nodes.add(JSON.readTree(line));
                }
            }
            return nodes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (tools.jackson.core.JacksonException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), file + " is not JSONL: " + e.getOriginalMessage());
        }
    }

    private static double[] scores(DeferralRule rule, List<CalibrationExample> examples) {
        return examples.stream().mapToDouble(e -> rule.score(e.uncertainty())).toArray();
    }

    private static double[] qualities(List<CalibrationExample> examples, boolean small) {
        return examples.stream().mapToDouble(e -> small ? e.smallQuality() : e.largeQuality()).toArray();
    }

    static double gapClosed(DeferralCurve curve, DeferralCurve random, DeferralCurve oracle) {
        double gap = oracle.area() - random.area();
        return gap <= 0 ? 0 : (curve.area() - random.area()) / gap;
    }

    private static double mean(double[] values) {
        return Arrays.stream(values).average().orElse(0);
    }

    private static String pct(double fraction) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * fraction);
    }
}
