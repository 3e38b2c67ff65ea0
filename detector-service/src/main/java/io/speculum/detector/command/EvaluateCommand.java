package io.speculum.detector.command;

import io.speculum.detector.DetectionMethods;
import io.speculum.detector.DetectorFiles;
import io.speculum.detector.TextScorer;
import io.speculum.detector.calibration.Calibration;
import io.speculum.detector.calibration.Roc;
import io.speculum.detector.data.EvaluationTable;
import io.speculum.detector.data.LabelledText;
import io.speculum.detector.data.LabelledTexts;
import io.speculum.detector.data.SettingEvaluation;
import io.speculum.detector.data.Split;
import io.speculum.detector.scoring.TextEvidence;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code evaluate}: AUROC and TPR at an FPR per method on the evaluate split, an ROC plot, and scoring throughput
 * beside the raw prefill throughput of the same windows through the binding, measured in the same run. On
 * {@code continuations} data (texts with a setting): the same per setting (generator, decoding, length), with the
 * realised FPR of the calibrated thresholds (a {@code --calibration} file, or fitted here on the calibrate split) and
 * its 95% interval, each method's worst setting, and one ROC plot per setting.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "AUROC and TPR@FPR per method on the evaluate split; ROC PNG; scoring vs raw prefill tokens/s.")
public final class EvaluateCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ObserverOptions observer;

    @Option(names = "--texts", required = true, description = "labelled texts; only the evaluate split is read")
    Path texts;

    @Option(names = "--fpr", defaultValue = "0.01")
    double fpr;

    @Option(names = "--roc", description = "write the ROC curves here (PNG); per setting, this name with the setting appended")
    Path roc;

    @Option(names = "--calibration", description = "thresholds to check (continuations data); default: fitted on the calibrate split in this run")
    Path calibrationFile;

    @Mixin
    DecisionOptions decision = new DecisionOptions();

    @Option(names = "--throughput", defaultValue = "true", negatable = true, description = "measure scoring vs prefill throughput")
    boolean measureThroughput;

    @Option(names = "--repeats", defaultValue = "5", description = "timed passes of scoring and of prefill (alternating; best of each)")
    int repeats;

    @Override
    public Integer call() throws Exception {
        PrintWriter console = spec.commandLine().getOut();
        try (ObserverOptions.Loaded loaded = observer.load();
             TextScorer scorer = new TextScorer(loaded.observers(), observer.scorerOptions())) {
            DetectionMethods methods = observer.methods(loaded.observers());
            List<LabelledText> evaluate = EvaluationTable.scorable(scorer, LabelledTexts.read(texts, Split.EVALUATE));
            if (evaluate.stream().anyMatch(t -> t.setting() != null)) {
                bySetting(console, loaded, methods, scorer, evaluate);
                if (measureThroughput) {
                    throughput(console, scorer, evaluate.stream().filter(t -> t.length() == 128).limit(320).toList());
                }
                return 0;
            }
            List<TextEvidence> evidence = EvaluationTable.evidence(scorer, evaluate);
            Map<String, EvaluationTable.MethodResult> results = EvaluationTable.evaluate(methods, evaluate, evidence);
            long machine = evaluate.stream().filter(LabelledText::machine).count();
            console.printf("observers %s; evaluate split: %d machine, %d human texts%n", loaded.observers().name(),
                    machine, evaluate.size() - machine);
            console.printf("| method | AUROC | TPR@%.0f%%FPR |%n| --- | --- | --- |%n", fpr * 100);
            Map<String, Roc> curves = new LinkedHashMap<>();
            for (EvaluationTable.MethodResult r : results.values()) {
                console.printf("| %s | %.4f | %.3f |%n", r.method(), r.auroc(), r.tprAt(fpr));
                curves.put(r.method(), r.roc());
            }
            if (roc != null) {
                RocPlot.write(roc, "ROC, observers " + loaded.observers().name() + ", " + machine + " machine / "
                        + (evaluate.size() - machine) + " human texts", curves);
                console.printf("wrote %s%n", roc);
            }
            if (measureThroughput) {
                throughput(console, scorer, evaluate);
            }
        }
        return 0;
    }

    private void bySetting(PrintWriter console, ObserverOptions.Loaded loaded, DetectionMethods methods, TextScorer scorer,
                           List<LabelledText> evaluate) {
        List<String> names = methods.availableNames();
        Calibration calibration;
        if (calibrationFile != null) {
            calibration = DetectorFiles.read(calibrationFile, Calibration.class);
            if (!calibration.vocabularyFingerprint().equals(loaded.observers().fingerprint().value())) {
                throw new IllegalArgumentException(calibrationFile + " was fitted with another vocabulary");
            }
        } else {
            List<LabelledText> calibrate = EvaluationTable.scorable(scorer, LabelledTexts.read(texts, Split.CALIBRATE));
            if (calibrate.stream().noneMatch(LabelledText::machine) || calibrate.stream().allMatch(LabelledText::machine)) {
                throw new IllegalArgumentException(texts + " has no calibrate split to fit thresholds on: pass --calibration");
            }
            List<SettingEvaluation.Scored> fitted = SettingEvaluation.score(methods, names, calibrate, EvaluationTable.evidence(scorer, calibrate));
            Map<String, SettingEvaluation.Row> worstThere = SettingEvaluation.worst(SettingEvaluation.rows(names, fitted, fpr, null),
                    decision::decides);
            String decisionMethod = worstThere.values().stream().max(java.util.Comparator.comparingDouble(SettingEvaluation.Row::auroc))
                    .orElseThrow().method();
            calibration = new Calibration(loaded.observers().fingerprint().value(), loaded.observers().name(),
                    "calibrate split of " + texts.getFileName(), decisionMethod, SettingEvaluation.calibrate(names, fitted, fpr));
        }
        List<SettingEvaluation.Scored> scored = SettingEvaluation.score(methods, names, evaluate, EvaluationTable.evidence(scorer, evaluate));
        List<SettingEvaluation.Row> rows = SettingEvaluation.rows(names, scored, fpr, calibration);
        long machine = evaluate.stream().filter(LabelledText::machine).count();
        console.printf("observers %s; evaluate split: %d machine, %d human texts; thresholds at %.0f%% FPR per length from %s; decision method %s%n",
                loaded.observers().name(), machine, evaluate.size() - machine, fpr * 100,
                calibrationFile != null ? calibrationFile : calibration.fittedOn(), calibration.decisionMethod());
        String percent = String.format("%.0f%%", fpr * 100);
        console.printf("| setting | len | method | machine | human | AUROC | TPR@%s (own) | TPR (calibrated) | FPR (calibrated) [95%% CI] |%n"
                + "| --- | --- | --- | --- | --- | --- | --- | --- | --- |%n", percent);
        for (SettingEvaluation.Row r : rows) {
            console.printf("| %s | %d | %s | %d | %d | %.4f | %.3f | %.3f | %s |%n", r.setting().machine(), r.setting().length(), r.method(),
                    r.machineTexts(), r.humanTexts(), r.auroc(), r.tprAtFpr(), r.calibratedTpr(), interval(r));
        }
        console.printf("%nDecision method %s, per setting:%n| setting | len | AUROC | TPR@%s (own) | TPR (calibrated) | FPR (calibrated) [95%% CI] |%n"
                + "| --- | --- | --- | --- | --- | --- |%n", calibration.decisionMethod(), percent);
        for (SettingEvaluation.Row r : rows) {
            if (r.method().equals(calibration.decisionMethod())) {
                console.printf("| %s | %d | %.4f | %.3f | %.3f | %s |%n", r.setting().machine(), r.setting().length(), r.auroc(),
                        r.tprAtFpr(), r.calibratedTpr(), interval(r));
            }
        }
        console.printf("%nWorst setting per method (lowest AUROC; lengths %s | all lengths):%n| method | worst at %s | AUROC | worst overall | AUROC | highest realised FPR |%n"
                + "| --- | --- | --- | --- | --- | --- |%n", decision.lengths, decision.lengths);
        Map<String, SettingEvaluation.Row> worstShipped = SettingEvaluation.worst(rows, decision::decides);
        Map<String, SettingEvaluation.Row> worstAll = SettingEvaluation.worst(rows, s -> true);
        for (String name : names) {
            SettingEvaluation.Row a = worstShipped.get(name);
            SettingEvaluation.Row b = worstAll.get(name);
            SettingEvaluation.Row fprWorst = rows.stream().filter(r -> r.method().equals(name))
                    .max(java.util.Comparator.comparingDouble(r -> r.realisedFpr().rate())).orElseThrow();
            console.printf("| %s | %s | %.4f | %s | %.4f | %s (%s) |%n", name, a == null ? "-" : a.setting().label(), a == null ? Double.NaN : a.auroc(),
                    b.setting().label(), b.auroc(), interval(fprWorst), fprWorst.setting().length());
        }
        if (roc != null) {
            Map<SettingEvaluation.Setting, Map<String, Roc>> curves = new LinkedHashMap<>();
            for (SettingEvaluation.Row r : rows) {
                curves.computeIfAbsent(r.setting(), k -> new LinkedHashMap<>()).put(r.method(), r.roc());
            }
            String base = roc.getFileName().toString().replaceFirst("\\.png$", "");
            curves.forEach((setting, byMethod) -> {
                Path file = roc.resolveSibling(base + "-" + setting.label().replaceAll("[^A-Za-z0-9.]+", "_") + ".png");
                RocPlot.write(file, "ROC, observers " + loaded.observers().name() + ", " + setting.label(), byMethod);
            });
            console.printf("wrote %d ROC plots beside %s%n", curves.size(), roc);
        }
    }

    private static String interval(SettingEvaluation.Row r) {
        return String.format("%.3f [%.3f, %.3f] (%d/%d)", r.realisedFpr().rate(), r.realisedFpr().low(), r.realisedFpr().high(),
                r.realisedFpr().k(), r.realisedFpr().n());
    }

    /** Scoring (all rows read, every statistic computed) against prefill (last row only) of the same windows. */
    private void throughput(PrintWriter console, TextScorer scorer, List<LabelledText> texts) throws Exception {
        List<int[]> tokens = new ArrayList<>();
        for (LabelledText t : texts) {
            tokens.add(scorer.observers().scoring().vocabulary().tokenize(t.text()));
        }
        long total = tokens.stream().mapToLong(a -> a.length).sum();
        List<List<int[]>> chunks = new ArrayList<>();
        for (int from = 0; from < tokens.size(); from += 16) {
            chunks.add(tokens.subList(from, Math.min(tokens.size(), from + 16)));
        }
        double[] scoring = new double[repeats];
        double[] prefill = new double[repeats];
        for (List<int[]> chunk : chunks) { // warm-up
            scorer.score(chunk).get();
            scorer.prefill(chunk).get();
        }
        for (int r = 0; r < repeats; r++) {
            long start = System.nanoTime();
            for (List<int[]> chunk : chunks) {
                scorer.score(chunk).get();
            }
            scoring[r] = total / ((System.nanoTime() - start) / 1e9);
            start = System.nanoTime();
            for (List<int[]> chunk : chunks) {
                scorer.prefill(chunk).get();
            }
            prefill[r] = total / ((System.nanoTime() - start) / 1e9);
        }
        double bestScoring = Arrays.stream(scoring).max().orElseThrow();
        double bestPrefill = Arrays.stream(prefill).max().orElseThrow();
        console.printf("throughput over %d tokens in %d texts (%d per decode call, best of %d):%n", total, tokens.size(), 16, repeats);
        console.printf("| | tokens/s |%n| --- | --- |%n| raw prefill (binding, last-token logits) | %.0f |%n", bestPrefill);
        console.printf("| scoring (every row, all statistics%s) | %.0f |%n",
                scorer.observers().paired() ? ", two observers" : "", bestScoring);
        console.printf("| scoring / prefill | %.1f%% |%n", 100 * bestScoring / bestPrefill);
        double statistics = statisticsPerSecond(scorer.observers().scoring().vocabulary().size(), scorer.observers().paired());
        console.printf("breakdown per token: prefill %.1f µs, scoring %.1f µs, of which the per-token statistics alone "
                        + "(%d-entry rows, one thread) %.1f µs%n", 1e6 / bestPrefill, 1e6 / bestScoring,
                scorer.observers().scoring().vocabulary().size(), 1e6 / statistics);
    }

    /** Rows per second through the per-token statistics alone (fixed pseudo-random rows of the vocabulary's size). */
    private static double statisticsPerSecond(int vocabulary, boolean paired) {
        java.util.Random random = new java.util.Random(1);
        float[][] rows = new float[64][vocabulary];
        for (float[] row : rows) {
            for (int i = 0; i < vocabulary; i++) {
                row[i] = (float) (3 * random.nextGaussian());
            }
        }
        double best = 0;
        double sink = 0;
        for (int pass = 0; pass < 5; pass++) {
            long start = System.nanoTime();
            int n = 20_000;
            for (int i = 0; i < n; i++) {
                float[] row = rows[i & 63];
                sink += io.speculum.detector.scoring.TokenEvidenceCalculator.of(row, paired ? rows[(i + 1) & 63] : null, i % vocabulary, i).entropy();
            }
            best = Math.max(best, n / ((System.nanoTime() - start) / 1e9));
        }
        if (sink == 42) {
            System.out.print(""); // keeps the loop's results alive
        }
        return best;
    }
}
