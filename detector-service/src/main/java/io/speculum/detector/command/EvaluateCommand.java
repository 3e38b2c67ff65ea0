package io.speculum.detector.command;

import io.speculum.detector.DetectionMethods;
import io.speculum.detector.TextScorer;
import io.speculum.detector.calibration.Roc;
import io.speculum.detector.data.EvaluationTable;
import io.speculum.detector.data.LabelledText;
import io.speculum.detector.data.LabelledTexts;
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
 * beside the raw prefill throughput of the same windows through the binding, measured in the same run.
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

    @Option(names = "--roc", description = "write the ROC curves here (PNG)")
    Path roc;

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
    }
}
