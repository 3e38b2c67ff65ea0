package io.speculum.detector.command;

import io.speculum.detector.DetectionMethods;
import io.speculum.detector.DetectorFiles;
import io.speculum.detector.TextScorer;
import io.speculum.detector.data.EvaluationTable;
import io.speculum.detector.data.LabelledText;
import io.speculum.detector.data.LabelledTexts;
import io.speculum.detector.data.Split;
import io.speculum.detector.scoring.CombinedDetectorTrainer;
import io.speculum.detector.scoring.CombinedWeights;
import io.speculum.detector.scoring.TextEvidence;
import io.speculum.detector.scoring.TextScore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code combine}: fits the {@code combined} method on the train split of {@code continuations} data (every
 * generator, decoding and length mixed): human moments per length, then a logistic regression over the z-scores.
 */
@Command(name = "combine", mixinStandardHelpOptions = true,
        description = "Fit the combined detector (logistic over human-standardised scores) on the train split.")
public final class CombineCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ObserverOptions observer;

    @Option(names = "--texts", required = true, description = "continuations data; only the train split is read")
    Path texts;

    @Option(names = "--method", split = ",", defaultValue = "fast-detectgpt,binoculars,min-k++",
            description = "methods to combine (default ${DEFAULT-VALUE})")
    List<String> combinedMethods;

    @Option(names = "--linear-only", description = "no squared terms (one-sided: only text more likely than human text scores high)")
    boolean linearOnly;

    @Option(names = "--l2", defaultValue = "0.01")
    double l2;

    @Option(names = "--out", required = true)
    Path out;

    @Override
    public Integer call() {
        PrintWriter console = spec.commandLine().getOut();
        try (ObserverOptions.Loaded loaded = observer.load();
             TextScorer scorer = new TextScorer(loaded.observers(), observer.scorerOptions())) {
            DetectionMethods methods = observer.methods(loaded.observers());
            List<TextScore> chosen = combinedMethods.stream().map(methods::get).toList();
            List<LabelledText> train = EvaluationTable.scorable(scorer, LabelledTexts.read(texts, Split.TRAIN));
            if (train.stream().anyMatch(t -> t.length() == 0)) {
                throw new IllegalArgumentException(texts + " is not continuations data: texts need their nominal length");
            }
            List<TextEvidence> evidence = EvaluationTable.evidence(scorer, train);
            List<CombinedDetectorTrainer.Example> examples = new ArrayList<>();
            for (int i = 0; i < train.size(); i++) {
                examples.add(new CombinedDetectorTrainer.Example(evidence.get(i), train.get(i).machine(), train.get(i).length()));
            }
            long machine = train.stream().filter(LabelledText::machine).count();
            CombinedWeights weights = CombinedDetectorTrainer.fit(loaded.observers().fingerprint().value(), loaded.observers().name(),
                    texts.getFileName() + " (train split, " + machine + " machine / " + (train.size() - machine) + " human texts)",
                    chosen, examples, !linearOnly, l2);
            DetectorFiles.write(out, weights);
            for (int k = 0; k < chosen.size(); k++) {
                console.printf("%-24s linear %+.4f squared %+.4f%n", chosen.get(k).name(), weights.linear()[k], weights.quadratic()[k]);
            }
            console.printf("bias %+.4f; wrote %s%n", weights.bias(), out);
        }
        return 0;
    }
}
