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
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
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

    @Option(names = "--stop", description = "a stop string for both models' answers, as in a request's stop list "
            + "(repeatable; e.g. \"<|end_story|>\", the story separator TinyStories-656K writes as plain text)")
    List<String> stops = new ArrayList<>();

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

    /** Which models the learned rule's search tries. */
    enum LearnedKind {
        AUTO(List.of(LearnedRuleSearch.Kind.LOGISTIC, LearnedRuleSearch.Kind.REGRESSION)),
        LOGISTIC(List.of(LearnedRuleSearch.Kind.LOGISTIC)),
        REGRESSION(List.of(LearnedRuleSearch.Kind.REGRESSION));

        private final List<LearnedRuleSearch.Kind> kinds;

        LearnedKind(List<LearnedRuleSearch.Kind> kinds) {
            this.kinds = kinds;
        }

        List<LearnedRuleSearch.Kind> kinds() {
            return kinds;
        }
    }

    @Option(names = "--learned-kind", defaultValue = "AUTO", description = "LOGISTIC: logistic regression on 'defer' labels; "
            + "REGRESSION: ridge regression on the quality gained by deferring; AUTO: whichever cross-validates better on the "
            + "fit split (default ${DEFAULT-VALUE})")
    LearnedKind learnedKind;

    @Option(names = "--good-quality", description = "for the logistic rule, small answers below this quality are labelled "
            + "'defer' (default: those whose deferral gains more quality than the training examples' median gain)")
    Double goodQuality;

    @Option(names = "--l2", defaultValue = "0.001,0.01,0.1,1,3,10", description = "ridge penalties the learned rule's "
            + "cross-validation tries, comma-separated (default ${DEFAULT-VALUE})")
    String l2;

    @Option(names = "--folds", defaultValue = "5", description = "cross-validation folds on the fit split (default ${DEFAULT-VALUE})")
    int folds;

    @Option(names = "--resplits", defaultValue = "20", description = "also report gap closed over this many random halvings "
            + "of all prompts, 0 for none (default ${DEFAULT-VALUE})")
    int resplits;

    @Option(names = "--seed", defaultValue = "1", description = "seed of the random halvings (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--draft-tokens", defaultValue = "8", description = "chunk length k when verifying the small answer (default ${DEFAULT-VALUE})")
    int draftTokens;

    @Option(names = "--plot", defaultValue = "deferral-curves.png", description = "the PNG to write (default ${DEFAULT-VALUE})")
    Path plot;

    @Option(names = "--examples-out", description = "also write every answered prompt (texts, per-token statistics, "
            + "qualities, rounds) as JSONL, to refit or inspect offline")
    Path examplesOut;

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
        if (!(targetRate >= 0 && targetRate <= 1) || maxTokens < 1 || draftTokens < 1 || folds < 2 || resplits < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--target-rate must be in [0, 1], --max-tokens and "
                    + "--draft-tokens >= 1, --folds >= 2, --resplits >= 0");
        }
        LearnedRuleSearch search;
        try {
            search = new LearnedRuleSearch(learnedKind.kinds(), penalties(), folds, goodQuality);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--l2 values must be positive numbers: " + e.getMessage());
        }
        List<String[]> promptSet = readPrompts();
        Map<String, double[]> judged = judgements == null ? null : readJudgements();
        List<CalibrationExample> examples = new ArrayList<>();
        List<Map<String, Object>> dumped = new ArrayList<>();
        long started = System.nanoTime();
        try (Model smallModel = Model.load(small); Model largeModel = Model.load(large);
             InProcessGenerator smallGenerator = new InProcessGenerator(smallModel);
             InProcessGenerator largeGenerator = new InProcessGenerator(largeModel)) {
            for (String[] prompt : promptSet) {
                if (judged != null && !judged.containsKey(prompt[0])) {
                    continue;
                }
                examples.add(example(prompt[0], prompt[1], smallGenerator, largeGenerator, judged, dumped));
            }
        }
        if (examplesOut != null) {
            writeExamples(dumped);
        }
        if (examples.size() < 4) {
            throw new CommandLine.ParameterException(spec.commandLine(), "need at least 4 judged prompts, got " + examples.size());
        }
        List<CalibrationExample> fit = new ArrayList<>();
        List<CalibrationExample> evaluate = new ArrayList<>();
        for (int i = 0; i < examples.size(); i++) {
            (i % 2 == 0 ? fit : evaluate).add(examples.get(i));
        }
        out.printf(Locale.ROOT, "%d prompts answered in %.1f s: small %s, large %s, %d tokens each%s; quality: %s%n", examples.size(),
                (System.nanoTime() - started) / 1e9, small.getFileName(), large.getFileName(), maxTokens,
                stops.isEmpty() ? "" : ", stops " + stops.stream().map(JSON::writeValueAsString).collect(Collectors.joining(" ")),
                judged != null ? "judgements from " + judgements : quality == Quality.AGREEMENT
                        ? "token F1 of the first sentence with the large model's answer" : "large-model per-token likelihood");
        out.printf(Locale.ROOT, "fit split %d prompts (even positions), evaluation split %d (odd positions)%n", fit.size(), evaluate.size());

        LearnedRuleSearch.Result found = search.search(fit);
        LearnedDeferralRule learned = found.rule();
        learned.save(learnedOut);
        out.printf(Locale.ROOT, "learned rule: %s, chosen by %d-fold cross-validation on the fit split (held-out area %.4f; %s)%n",
                found.chosen(), Math.min(folds, fit.size()), found.chosen().crossValidatedArea(), found.candidates().stream()
                        .map(c -> String.format(Locale.ROOT, "%s %.4f", c, c.crossValidatedArea())).collect(Collectors.joining(", ")));
        List<DeferralRule> rules = new ArrayList<>(DeferralRules.chowRules());
        rules.add(learned);

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
            DeferralCurve curve = DeferralCurve.of(rule.name(), scores(rule, evaluate), smallQ, largeQ);
            // the learned rule's own fit-split area is in-sample: compare its cross-validated one instead
            double fitArea = rule == learned ? found.chosen().crossValidatedArea()
                    : DeferralCurve.of(rule.name(), scores(rule, fit), qualities(fit, true), qualities(fit, false)).area();
            double threshold = DeferralThreshold.forDeferralRate(scores(rule, fit), targetRate);
            curves.add(curve);
            out.printf(Locale.ROOT, "%-20s %8.4f %+10.4f %10.1f%% %+10.4f %12s %13s %12.4f%n", rule.name(), curve.area(),
                    curve.area() - random.area(), 100 * gapClosed(curve, random, oracle), curve.minimumGainOver(random),
                    curve.interiorRatesAtLeast(random) + "/" + (evaluate.size() - 1),
                    String.format(Locale.ROOT, rule == learned ? "%.4f (cv)" : "%.4f", fitArea), threshold);
            if (fitArea > bestFitArea) {
                bestFitArea = fitArea;
                best = rule;
            }
        }
        out.printf("(gap closed: (area - random) / (oracle - random); min gain: the least quality above random at any rate "
                + "strictly between 0 and 1; above rand.: interior rates where the curve is not below random; thresholds "
                + "chosen on the fit split)%n");

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
        if (resplits > 0) {
            reportResplits(out, examples, search);
        }
        List<DeferralCurve> plotted = new ArrayList<>(curves);
        plotted.add(random);
        plotted.add(oracle);
        DeferralPlot.write(plot, "Deferral curves, evaluation split (" + evaluate.size() + " prompts)", plotted);
        out.printf("wrote %s and %s (use it with speculum.cascade.rule=learned, speculum.cascade.learned-model=%s)%n",
                plot.toAbsolutePath(), learnedOut.toAbsolutePath(), learnedOut.toAbsolutePath());
        out.flush();
        return 0;
    }

    /**
     * The same comparison over random halvings of all examples (learned rule searched anew on each fit half): how much
     * of the single split's result is the luck of that split.
     */
    private void reportResplits(PrintWriter out, List<CalibrationExample> examples, LearnedRuleSearch search) {
        List<DeferralRule> chow = DeferralRules.chowRules();
        double[][] gaps = new double[chow.size() + 1][resplits];
        int learnedAboveEverywhere = 0;
        Random random = new Random(seed);
        for (int split = 0; split < resplits; split++) {
            List<CalibrationExample> shuffled = new ArrayList<>(examples);
            Collections.shuffle(shuffled, random);
            List<CalibrationExample> fitHalf = shuffled.subList(0, shuffled.size() / 2);
            List<CalibrationExample> evaluationHalf = shuffled.subList(shuffled.size() / 2, shuffled.size());
            double[] smallQ = qualities(evaluationHalf, true);
            double[] largeQ = qualities(evaluationHalf, false);
            DeferralCurve randomCurve = DeferralCurve.random(smallQ, largeQ);
            DeferralCurve oracleCurve = DeferralCurve.oracle(smallQ, largeQ);
            List<DeferralRule> rules = new ArrayList<>(chow);
            rules.add(search.search(fitHalf).rule()); // the learned rule last
            DeferralCurve curve = null;
            for (int r = 0; r < rules.size(); r++) {
                curve = DeferralCurve.of(rules.get(r).name(), scores(rules.get(r), evaluationHalf), smallQ, largeQ);
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

    private double[] penalties() {
        return Arrays.stream(l2.split(",")).map(String::strip).mapToDouble(value -> {
            try {
                return Double.parseDouble(value);
            } catch (NumberFormatException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--l2: '" + value + "' is not a number");
            }
        }).toArray();
    }

    private CalibrationExample example(String id, String prompt, InProcessGenerator smallGenerator, InProcessGenerator largeGenerator,
                                       Map<String, double[]> judged, List<Map<String, Object>> dumped) {
        InProcessGenerator.Generated smallAnswer = smallGenerator.generate(prompt + smallPromptSuffix, maxTokens, stops);
        String smallText = smallPromptSuffix + smallAnswer.text();
        InProcessGenerator.Generated largeAnswer = largeGenerator.generate(prompt, maxTokens, stops);
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
        CalibrationExample example = new CalibrationExample(id, AnswerUncertainty.of(smallAnswer.confidence()), smallQuality,
                largeQuality, smallAnswer.tokens().length, largeAnswer.tokens().length, alone.rounds(), withHint.rounds());
        if (examplesOut != null) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("id", id);
            line.put("prompt", prompt);
            line.put("smallText", smallText);
            line.put("largeText", largeAnswer.text());
            line.put("smallQuality", smallQuality);
            line.put("largeQuality", largeQuality);
            line.put("logProbs", example.uncertainty().logProbs());
            line.put("entropies", example.uncertainty().entropies());
            line.put("margins", Arrays.stream(example.uncertainty().margins())
                    .mapToObj(m -> Double.isFinite(m) ? (Object) m : null).toList());
            line.put("smallFinish", smallAnswer.finish());
            line.put("scratchRounds", example.scratchRounds());
            line.put("speculativeRounds", example.speculativeRounds());
            dumped.add(line);
        }
        return example;
    }

    private void writeExamples(List<Map<String, Object>> lines) {
        StringBuilder text = new StringBuilder();
        for (Map<String, Object> line : lines) {
            text.append(JSON.writeValueAsString(line)).append('\n');
        }
        try {
            Path parent = examplesOut.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(examplesOut, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + examplesOut, e);
        }
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
