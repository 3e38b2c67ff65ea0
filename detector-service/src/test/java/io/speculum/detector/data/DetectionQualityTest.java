package io.speculum.detector.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.speculum.detector.DetectionMethods;
import io.speculum.detector.DetectorFiles;
import io.speculum.detector.Observers;
import io.speculum.detector.ScorerOptions;
import io.speculum.detector.TextScorer;
import io.speculum.detector.calibration.Calibration;
import io.speculum.detector.scoring.LearnedWeights;
import io.speculum.detector.scoring.TokenFrequencies;
import io.speculum.llama.Model;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * White-box quality: continuations sampled from stories260K (T = 1, 128 tokens, prompts of prompts-a.jsonl) against
 * blocks of val-a.txt of similar length, all from the evaluate split. The shipped frequency table, learned weights
 * and calibration were fitted on the train and calibrate splits only, so nothing here was seen by them.
 */
class DetectionQualityTest {

    private static final int PER_CLASS = 70;

    @Test
    void theBestMethodSeparatesSampledFromHumanTextOnTheEvaluationSplit() throws Exception {
        Path shared = Path.of(System.getProperty("speculum.shared.dir", "../../shared"));
        try (Model model = Model.load(shared.resolve("models/stories260K.gguf"))) {
            List<LabelledText> texts = DetectionDataset.build(model, DetectionDataset.Source.tinyStories(shared.resolve("data"), PER_CLASS),
                    EnumSet.of(Split.EVALUATE), 1);
            assertThat(texts).allMatch(t -> t.split() == Split.EVALUATE);
            assertThat(texts.stream().filter(LabelledText::machine).count()).isEqualTo(PER_CLASS);
            assertThat(texts.stream().filter(t -> !t.machine()).count()).isEqualTo(PER_CLASS);

            TokenFrequencies frequencies = resource("frequencies.json", TokenFrequencies.class);
            LearnedWeights learned = resource("learned.json", LearnedWeights.class);
            Calibration calibration = resource("calibration.json", Calibration.class);
            assertThat(calibration.fittedOn()).contains("calibrate split");
            try (TextScorer scorer = new TextScorer(Observers.single(model, "stories260K"), new ScorerOptions(512, 128, 8, 512, 1, 8))) {
                List<LabelledText> scorable = EvaluationTable.scorable(scorer, texts);
                Map<String, EvaluationTable.MethodResult> results = EvaluationTable.evaluate(
                        new DetectionMethods(false, frequencies, learned), scorable, EvaluationTable.evidence(scorer, scorable));
                results.values().forEach(r -> System.out.printf("white-box AUROC %-16s %.4f%n", r.method(), r.auroc()));
                assertThat(results).hasSize(DetectionMethods.ALL.size() - 1);
                double best = results.values().stream().mapToDouble(EvaluationTable.MethodResult::auroc).max().orElseThrow();
                assertThat(best).as("best AUROC on the evaluate split").isGreaterThanOrEqualTo(0.90);
            }
        }
    }

    private static <T> T resource(String name, Class<T> type) throws Exception {
        try (InputStream in = DetectionQualityTest.class.getResourceAsStream("/detector/stories260K/" + name)) {
            assertThat(in).as("shipped %s", name).isNotNull();
            return DetectorFiles.read(in, type, name);
        }
    }
}
