package io.speculum.detector.command;

import io.speculum.detector.DetectionMethods;
import io.speculum.detector.DetectorFiles;
import io.speculum.detector.TextScorer;
import io.speculum.detector.calibration.Calibration;
import io.speculum.detector.calibration.MethodCalibration;
import io.speculum.detector.data.EvaluationTable;
import io.speculum.detector.data.LabelledText;
import io.speculum.detector.data.LabelledTexts;
import io.speculum.detector.data.SettingEvaluation;
import io.speculum.detector.data.Split;
import java.io.PrintWriter;
import java.nio.file.Path;
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
 * {@code calibrate}: on the calibrate split, fits each method's Platt scaling and the threshold at the requested FPR,
 * and picks the decision method. On {@code continuations} data (texts with a setting) the thresholds are fitted per
 * length and the decision method is the one whose <em>worst</em> setting (lowest AUROC over every generator and
 * decoding at the decision lengths) is best; otherwise the one with the highest pooled AUROC.
 */
@Command(name = "calibrate", mixinStandardHelpOptions = true,
        description = "Fit probability (Platt) and threshold at an FPR per method on the calibrate split.")
public final class CalibrateCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ObserverOptions observer;

    @Option(names = "--texts", required = true, description = "labelled texts; only the calibrate split is read")
    Path texts;

    @Option(names = "--fpr", defaultValue = "0.01", description = "false-positive rate for the thresholds (default ${DEFAULT-VALUE})")
    double fpr;

    @Option(names = "--out", required = true)
    Path out;

    @Mixin
    DecisionOptions decision = new DecisionOptions();

    @Override
    public Integer call() {
        PrintWriter console = spec.commandLine().getOut();
        try (ObserverOptions.Loaded loaded = observer.load();
             TextScorer scorer = new TextScorer(loaded.observers(), observer.scorerOptions())) {
            DetectionMethods methods = observer.methods(loaded.observers());
            List<LabelledText> calibrate = EvaluationTable.scorable(scorer, LabelledTexts.read(texts, Split.CALIBRATE));
            if (calibrate.stream().anyMatch(t -> t.setting() != null)) {
                return calibrateForTheWorstSetting(console, loaded, methods, scorer, calibrate);
            }
            Map<String, EvaluationTable.MethodResult> results = EvaluationTable.evaluate(methods, calibrate,
                    EvaluationTable.evidence(scorer, calibrate));
            Map<String, MethodCalibration> fitted = new LinkedHashMap<>();
            String best = null;
            for (EvaluationTable.MethodResult r : results.values()) {
                fitted.put(r.method(), MethodCalibration.fit(r.machine(), r.human(), fpr));
                if (best == null || r.auroc() > results.get(best).auroc()) {
                    best = r.method();
                }
                console.printf("%-24s AUROC %.4f on the calibrate split%n", r.method(), r.auroc());
            }
            Calibration calibration = new Calibration(loaded.observers().fingerprint().value(), loaded.observers().name(),
                    texts.getFileName() + " (calibrate split, " + calibrate.size() + " texts)", best, fitted);
            DetectorFiles.write(out, calibration);
            console.printf("decision method %s; wrote %s%n", best, out);
        }
        return 0;
    }

    private int calibrateForTheWorstSetting(PrintWriter console, ObserverOptions.Loaded loaded, DetectionMethods methods,
                                            TextScorer scorer, List<LabelledText> calibrate) {
        List<String> names = methods.availableNames();
        List<SettingEvaluation.Scored> scored = SettingEvaluation.score(methods, names, calibrate, EvaluationTable.evidence(scorer, calibrate));
        Map<String, SettingEvaluation.Row> worst = SettingEvaluation.worst(SettingEvaluation.rows(names, scored, fpr, null),
                decision::decides);
        String best = null;
        for (SettingEvaluation.Row r : worst.values()) {
            console.printf("%-24s worst AUROC %.4f (%s) on the calibrate split%n", r.method(), r.auroc(), r.setting().label());
            if (best == null || r.auroc() > worst.get(best).auroc()) {
                best = r.method();
            }
        }
        Calibration calibration = new Calibration(loaded.observers().fingerprint().value(), loaded.observers().name(),
                texts.getFileName() + " (calibrate split, " + calibrate.size() + " texts; thresholds per length; decision: best worst-setting AUROC at lengths "
                        + decision.describe() + ")", best, SettingEvaluation.calibrate(names, scored, fpr));
        DetectorFiles.write(out, calibration);
        console.printf("decision method %s; wrote %s%n", best, out);
        return 0;
    }
}
