package io.speculum.detector.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.speculum.detector.DetectorFiles;
import io.speculum.detector.calibration.Calibration;
import io.speculum.detector.data.LabelledText;
import io.speculum.detector.data.LabelledTexts;
import io.speculum.detector.data.Split;
import io.speculum.detector.scoring.CombinedWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The documented pipeline of the evaluation that resembles use, small: continuations, combine, calibrate, evaluate, scores. */
class UseCaseCommandsTest {

    private static final Path DATA = Path.of(System.getProperty("speculum.shared.dir", "../../shared"), "data");

    @Test
    void continuationsCombineCalibrateEvaluateAndScoresRunOnEachOthersFiles(@TempDir Path dir) throws Exception {
        String model = DetectorCommandsTest.STORIES.toString();
        Path texts = dir.resolve("continuations.jsonl");
        assertThat(DetectorCommands.run("continuations", "--generator", model, "--data", DATA.toString(), "--decoding", "T0.8-p0.95",
                "--decoding", "greedy-rp1.3", "--length", "64", "--openings-per-split", "12", "--humans-per-length", "40",
                "--out", texts.toString(), "--threads", "1")).isZero();
        List<LabelledText> all = LabelledTexts.read(texts, null);
        for (Split split : Split.values()) {
            assertThat(all.stream().filter(t -> t.split() == split && !t.machine())).hasSize(40);
            assertThat(all.stream().filter(t -> t.split() == split && t.machine())).hasSize(24);
        }
        assertThat(all.stream().filter(LabelledText::machine).map(LabelledText::setting).distinct())
                .containsExactlyInAnyOrder("stories260K/T0.8-p0.95", "stories260K/greedy-rp1.3");

        Path combined = dir.resolve("combined.json");
        assertThat(DetectorCommands.run("combine", "--observer", model, "--texts", texts.toString(), "--out", combined.toString(),
                "--threads", "1")).isZero();
        CombinedWeights weights = DetectorFiles.read(combined, CombinedWeights.class);
        assertThat(weights.methods()).containsExactly("fast-detectgpt", "binoculars", "min-k++");
        assertThat(weights.moments()).hasSize(1);
        assertThat(weights.trainedOn()).contains("train split");

        Path calibration = dir.resolve("calibration.json");
        assertThat(DetectorCommands.run("calibrate", "--observer", model, "--texts", texts.toString(), "--combined", combined.toString(),
                "--decision-lengths", "64", "--decision-settings", "stories260K/T0.8-p0.95", "--out", calibration.toString(),
                "--threads", "1")).isZero();
        Calibration fitted = DetectorFiles.read(calibration, Calibration.class);
        assertThat(fitted.methods()).containsKey("combined");
        assertThat(fitted.decisionMethod()).isNotNull();
        assertThat(fitted.methods().get(fitted.decisionMethod()).lengthThresholds()).hasSize(1);
        assertThat(fitted.fittedOn()).contains("calibrate split").contains("stories260K/T0.8-p0.95");

        Path roc = dir.resolve("roc.png");
        assertThat(DetectorCommands.run("evaluate", "--observer", model, "--texts", texts.toString(), "--combined", combined.toString(),
                "--calibration", calibration.toString(), "--decision-lengths", "64", "--roc", roc.toString(), "--repeats", "1",
                "--threads", "1")).isZero();
        assertThat(dir.resolve("roc-stories260K_T0.8_p0.95_64.png")).isNotEmptyFile(); // one plot per setting
        assertThat(dir.resolve("roc-stories260K_greedy_rp1.3_64.png")).isNotEmptyFile();

        Path scores = dir.resolve("scores.jsonl");
        assertThat(DetectorCommands.run("scores", "--observer", model, "--texts", texts.toString(), "--out", scores.toString(),
                "--threads", "1")).isZero();
        assertThat(Files.readAllLines(scores)).hasSize(all.size()).allMatch(l -> l.contains("\"fast-detectgpt\""));
    }
}
