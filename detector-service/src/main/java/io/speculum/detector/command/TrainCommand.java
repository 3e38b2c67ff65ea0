package io.speculum.detector.command;

import io.speculum.detector.DetectorFiles;
import io.speculum.detector.TextScorer;
import io.speculum.detector.data.EvaluationTable;
import io.speculum.detector.data.LabelledText;
import io.speculum.detector.data.LabelledTexts;
import io.speculum.detector.data.Split;
import io.speculum.detector.scoring.LearnedDetectorTrainer;
import io.speculum.detector.scoring.LearnedWeights;
import io.speculum.detector.scoring.TextEvidence;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code train}: fits the learned (PAWN-like) detector on the training split of labelled texts. */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train the learned detector on the train split.")
public final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ObserverOptions observer;

    @Option(names = "--texts", required = true, description = "labelled texts (from the dataset command); only the train split is read")
    Path texts;

    @Option(names = "--out", required = true, description = "where to write the weights (JSON)")
    Path out;

    @Option(names = "--iterations", defaultValue = "300")
    int iterations;

    @Override
    public Integer call() {
        try (ObserverOptions.Loaded loaded = observer.load();
             TextScorer scorer = new TextScorer(loaded.observers(), observer.scorerOptions())) {
            List<LabelledText> train = EvaluationTable.scorable(scorer, LabelledTexts.read(texts, Split.TRAIN));
            List<TextEvidence> evidence = EvaluationTable.evidence(scorer, train);
            List<LearnedDetectorTrainer.Example> examples = new ArrayList<>();
            for (int i = 0; i < train.size(); i++) {
                examples.add(new LearnedDetectorTrainer.Example(evidence.get(i), train.get(i).machine()));
            }
            LearnedWeights weights = new LearnedDetectorTrainer(iterations, 0.05, 1e-3)
                    .train(loaded.observers().fingerprint().value(), texts.getFileName() + " (train split)", examples);
            DetectorFiles.write(out, weights);
            spec.commandLine().getOut().printf("trained on %d texts; wrote %s%n", train.size(), out);
        }
        return 0;
    }
}
