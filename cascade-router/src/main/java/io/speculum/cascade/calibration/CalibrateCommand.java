package io.speculum.cascade.calibration;

import io.speculum.cascade.deferral.DeferralCurve;
import io.speculum.cascade.deferral.DeferralRule;
import io.speculum.cascade.deferral.DeferralRules;
import io.speculum.llama.Model;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code cascade-router calibrate}: answers a prompt set with the small and the large model (in this process), judges
 * each small answer, and reports the deferral curve of every rule on a held-out split (its area against the random
 * and oracle curves), fits the learned rule on the other split, picks the threshold for a target deferral rate, and
 * counts the large-model passes the speculative cascade saves. Writes a PNG of the curves and the learned rule's JSON.
 * This class holds the options and the order of the steps; {@link PromptAnswerer} answers and judges a prompt,
 * {@link RuleComparison}, {@link ThresholdReport} and {@link ResplitReport} print the report, {@link CalibrationFiles}
 * reads and writes the JSONL files.
 */
@Command(name = "calibrate", mixinStandardHelpOptions = true,
        description = "Deferral curves per rule, learned rule, threshold for a target deferral rate, speculative-cascade savings.")
public final class CalibrateCommand implements Callable<Integer> {

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
    PromptAnswerer.Quality quality;

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
            throw usage("--target-rate must be in [0, 1], --max-tokens and --draft-tokens >= 1, --folds >= 2, --resplits >= 0");
        }
        LearnedRuleSearch search;
        try {
            search = new LearnedRuleSearch(learnedKind.kinds(), penalties(), folds, goodQuality);
        } catch (IllegalArgumentException e) {
            throw usage("--l2 values must be positive numbers: " + e.getMessage());
        }
        List<CalibrationFiles.Prompt> promptSet;
        Map<String, CalibrationFiles.Judgement> judged;
        try {
            promptSet = CalibrationFiles.readPrompts(prompts, limit);
            judged = judgements == null ? null : CalibrationFiles.readJudgements(judgements);
        } catch (CalibrationFiles.InvalidFile e) {
            throw usage(e.getMessage());
        }
        long started = System.nanoTime();
        List<CalibrationExample> examples = answer(promptSet, judged);
        if (examples.size() < 4) {
            throw usage("need at least 4 judged prompts, got " + examples.size());
        }
        Halves halves = Halves.alternating(examples);
        reportInputs(out, examples.size(), halves, judged != null, started);
        LearnedRuleSearch.Result found = search.search(halves.fit());
        found.rule().save(learnedOut);
        reportLearned(out, found, halves.fit().size());
        List<DeferralRule> rules = new ArrayList<>(DeferralRules.chowRules());
        rules.add(found.rule());
        RuleComparison.Compared compared = RuleComparison.report(out, rules, found, halves, targetRate);
        ThresholdReport.report(out, compared.best(), halves, targetRate, costBudget, draftTokens);
        if (resplits > 0) {
            ResplitReport.report(out, examples, search, resplits, seed);
        }
        List<DeferralCurve> plotted = new ArrayList<>(compared.curves());
        plotted.add(compared.random());
        plotted.add(compared.oracle());
        DeferralPlot.write(plot, "Deferral curves, evaluation split (" + halves.evaluate().size() + " prompts)", plotted);
        out.printf("wrote %s and %s (use it with speculum.cascade.rule=learned, speculum.cascade.learned-model=%s)%n",
                plot.toAbsolutePath(), learnedOut.toAbsolutePath(), learnedOut.toAbsolutePath());
        out.flush();
        return 0;
    }

    private void reportInputs(PrintWriter out, int answered, Halves halves, boolean judged, long started) {
        out.printf(Locale.ROOT, "%d prompts answered in %.1f s: small %s, large %s, %d tokens each%s; quality: %s%n", answered,
                (System.nanoTime() - started) / 1e9, small.getFileName(), large.getFileName(), maxTokens,
                stops.isEmpty() ? "" : ", stops " + stops.stream().map(JSON::writeValueAsString).collect(Collectors.joining(" ")),
                judged ? "judgements from " + judgements : quality == PromptAnswerer.Quality.AGREEMENT
                        ? "token F1 of the first sentence with the large model's answer" : "large-model per-token likelihood");
        out.printf(Locale.ROOT, "fit split %d prompts (even positions), evaluation split %d (odd positions)%n", halves.fit().size(),
                halves.evaluate().size());
    }

    private void reportLearned(PrintWriter out, LearnedRuleSearch.Result found, int fitSize) {
        out.printf(Locale.ROOT, "learned rule: %s, chosen by %d-fold cross-validation on the fit split (held-out area %.4f; %s)%n",
                found.chosen(), Math.min(folds, fitSize), found.chosen().crossValidatedArea(), found.candidates().stream()
                        .map(c -> String.format(Locale.ROOT, "%s %.4f", c, c.crossValidatedArea())).collect(Collectors.joining(", ")));
    }

    /** Answers the judged prompts (every prompt without a judgement file) and writes them to {@code --examples-out}. */
    private List<CalibrationExample> answer(List<CalibrationFiles.Prompt> promptSet, Map<String, CalibrationFiles.Judgement> judged) {
        List<CalibrationExample> examples = new ArrayList<>();
        List<Map<String, Object>> lines = new ArrayList<>();
        try (Model smallModel = Model.load(small); Model largeModel = Model.load(large);
             InProcessGenerator smallGenerator = new InProcessGenerator(smallModel);
             InProcessGenerator largeGenerator = new InProcessGenerator(largeModel)) {
            PromptAnswerer answerer = new PromptAnswerer(smallGenerator, largeGenerator, smallPromptSuffix, maxTokens, stops, quality,
                    draftTokens);
            for (CalibrationFiles.Prompt prompt : promptSet) {
                if (judged != null && !judged.containsKey(prompt.id())) {
                    continue;
                }
                PromptAnswerer.Answered answered = answerer.answer(prompt, judged == null ? null : judged.get(prompt.id()));
                examples.add(answered.example());
                lines.add(answered.line());
            }
        }
        if (examplesOut != null) {
            CalibrationFiles.writeJsonLines(examplesOut, lines);
        }
        return examples;
    }

    private double[] penalties() {
        return Arrays.stream(l2.split(",")).map(String::strip).mapToDouble(value -> {
            try {
                return Double.parseDouble(value);
            } catch (NumberFormatException e) {
                throw usage("--l2: '" + value + "' is not a number");
            }
        }).toArray();
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
