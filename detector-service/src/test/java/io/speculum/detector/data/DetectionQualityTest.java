package io.speculum.detector.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.speculum.detector.DetectionMethods;
import io.speculum.detector.DetectorFiles;
import io.speculum.detector.Observers;
import io.speculum.detector.ScorerOptions;
import io.speculum.detector.TextScorer;
import io.speculum.detector.calibration.Calibration;
import io.speculum.detector.scoring.CombinedWeights;
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
 * Quality of the shipped set-up on text it was not tuned on. {@link #theDefaultDecisionHoldsInEverySettingOfTheCommittedContinuations}:
 * the committed continuations set (evaluate split, 128 tokens; every generator and decoding, see docs/detection.md
 * for the command that wrote it) scored with the shipped default decision and its calibration.
 *
 * <p>{@link #theBestMethodSeparatesSampledFromHumanTextOnTheEvaluationSplit}: white-box quality: continuations sampled from stories260K (T = 1, 128 tokens, prompts of prompts-a.jsonl) against
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
                assertThat(results).hasSize(DetectionMethods.ALL.size() - 2); // no sampling model, no combined weights
                double best = results.values().stream().mapToDouble(EvaluationTable.MethodResult::auroc).max().orElseThrow();
                assertThat(best).as("best AUROC on the evaluate split").isGreaterThanOrEqualTo(0.90);
            }
        }
    }

    /**
     * The settings the decision method was chosen on (stories260K's T = 0.8 top-p 0.95 and T = 0.7 top-k 40, those of
     * the goals; at T = 1 a white-box observer is at chance, see docs/detection.md) and the decision's worst AUROC over them on the committed set, measured
     * with the shipped files (this test prints it); the test fails 0.03 below it.
     */
    private static final List<String> DECISION_SETTINGS = List.of("stories260K/T0.8-p0.95", "stories260K/T0.7-k40");
    private static final double DECISION_SETTINGS_REACHED = 0.9925;

    @Test
    void theDefaultDecisionHoldsInEverySettingOfTheCommittedContinuations() throws Exception {
        Path shared = Path.of(System.getProperty("speculum.shared.dir", "../../shared"));
        List<LabelledText> texts = LabelledTexts.read(Path.of(DetectionQualityTest.class.getResource("/detection/continuations-evaluate-128.jsonl").toURI()), null);
        assertThat(texts).allMatch(t -> t.split() == Split.EVALUATE && t.length() == 128);
        Calibration calibration = resource("calibration.json", Calibration.class);
        CombinedWeights combined = resource("combined.json", CombinedWeights.class);
        String decision = calibration.decisionMethod();
        try (Model model = Model.load(shared.resolve("models/stories260K.gguf"));
             TextScorer scorer = new TextScorer(Observers.single(model, "stories260K"), new ScorerOptions(512, 128, 8, 512, 1, 8))) {
            DetectionMethods methods = new DetectionMethods(false, null, null, combined);
            List<LabelledText> scorable = EvaluationTable.scorable(scorer, texts);
            assertThat(scorable).hasSameSizeAs(texts);
            List<SettingEvaluation.Row> rows = SettingEvaluation.rows(List.of(decision),
                    SettingEvaluation.score(methods, List.of(decision), scorable, EvaluationTable.evidence(scorer, scorable)), 0.01, calibration);
            rows.forEach(r -> System.out.printf("%s %-34s AUROC %.4f TPR %.3f realised FPR %.3f [%.3f, %.3f]%n", decision,
                    r.setting().label(), r.auroc(), r.calibratedTpr(), r.realisedFpr().rate(), r.realisedFpr().low(), r.realisedFpr().high()));
            assertThat(rows).hasSize(8);
            double worst = rows.stream().filter(r -> DECISION_SETTINGS.contains(r.setting().machine()))
                    .mapToDouble(SettingEvaluation.Row::auroc).min().orElseThrow();
            System.out.printf("%s worst AUROC over %s: %.4f%n", decision, DECISION_SETTINGS, worst);
            assertThat(worst).as("worst AUROC of %s over %s", decision, DECISION_SETTINGS).isGreaterThanOrEqualTo(DECISION_SETTINGS_REACHED - 0.03);
            // the calibrated 1% threshold: its realised rate on these 200 human texts stays within the stated 2%
            assertThat(rows.getFirst().realisedFpr().rate()).as("realised FPR").isLessThanOrEqualTo(0.02);
        }
    }

    private static <T> T resource(String name, Class<T> type) throws Exception {
        try (InputStream in = DetectionQualityTest.class.getResourceAsStream("/detector/stories260K/" + name)) {
            assertThat(in).as("shipped %s", name).isNotNull();
            return DetectorFiles.read(in, type, name);
        }
    }
}
