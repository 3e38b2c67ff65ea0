package io.speculum.cascade.calibration;

import static org.assertj.core.api.Assertions.assertThat;

import io.speculum.cascade.deferral.DeferralRules;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The calibrate command on a few TinyStories prompts with the real models: it reports, plots and saves a rule. */
class CalibrateCommandTest {

    private static final Path SHARED = Path.of(System.getProperty("speculum.shared.dir"));

    @TempDir
    Path dir;

    private String run(String... extra) {
        return run(0, extra);
    }

    private String run(int expectedCode, String... extra) {
        StringWriter out = new StringWriter();
        CommandLine command = new CommandLine(new CalibrateCommand()).setCaseInsensitiveEnumValuesAllowed(true);
        command.setOut(new PrintWriter(out));
        command.setErr(new PrintWriter(out));
        List<String> args = new java.util.ArrayList<>(List.of(
                "--prompts", SHARED.resolve("data/tinystories/prompts-a.jsonl").toString(),
                "--small", SHARED.resolve("models/TinyStories-656K-f32.gguf").toString(),
                "--large", SHARED.resolve("models/stories260K.gguf").toString(),
                "--small-prompt-suffix= ", "--limit", "16", "--max-tokens", "16",
                "--plot", dir.resolve("curves.png").toString(), "--learned-out", dir.resolve("rule.json").toString(), "--resplits", "3"));
        args.addAll(List.of(extra));
        int code = command.execute(args.toArray(String[]::new));
        assertThat(code).as(out.toString()).isEqualTo(expectedCode);
        return out.toString();
    }

    @Test
    void reportsCurvesPerRulePlotsThemAndSavesALoadableLearnedRule() throws IOException {
        String report = run("--quality", "likelihood", "--cost-budget", "20", "--examples-out", dir.resolve("examples.jsonl").toString(),
                "--stop", "!", "--stop", ".");
        assertThat(report).contains("16 prompts answered").contains("fit split 8 prompts").containsPattern("random\\s+0\\.\\d+")
                .containsPattern("oracle\\s+0\\.\\d+").containsPattern("chow-quantile-0\\.1\\s+0\\.\\d+").containsPattern("learned\\s+0\\.\\d+")
                .contains("threshold for 30.0% deferral").contains("speculative cascade").contains("cost budget 20.0 tokens per request")
                .containsPattern("learned rule: (logistic|regression) l2=[0-9.]+, chosen by 5-fold cross-validation on the fit split")
                .contains("over 3 random halvings").containsPattern("learned is at or above random at every rate in \\d of 3 halvings");
        List<String> examples = Files.readAllLines(dir.resolve("examples.jsonl"));
        assertThat(examples).hasSize(16);
        assertThat(report).contains("stops \"!\" \".\"");
        tools.jackson.databind.json.JsonMapper json = tools.jackson.databind.json.JsonMapper.builder().build();
        for (String line : examples) {
            tools.jackson.databind.JsonNode example = json.readTree(line);
            assertThat(example.get("smallText").asString() + example.get("largeText").asString()).as("answers end before a stop")
                    .doesNotContain(".").doesNotContain("!");
        }
        assertThat(examples.getFirst()).contains("\"id\":\"0\"").contains("\"smallText\"").contains("\"largeText\"")
                .contains("\"logProbs\":[").contains("\"smallQuality\"").contains("\"scratchRounds\"");
        BufferedImage plot = ImageIO.read(dir.resolve("curves.png").toFile());
        assertThat(plot.getWidth()).isPositive();
        assertThat(DeferralRules.byName("learned", dir.resolve("rule.json")).name()).isEqualTo("learned");
    }

    @Test
    void badLearnedRuleSettingsAreUsageErrors() {
        assertThat(run(2, "--l2", "0.1,abc")).contains("--l2: 'abc' is not a number");
        assertThat(run(2, "--l2", "-1")).contains("--l2 values must be positive");
        assertThat(run(2, "--folds", "1")).contains("--folds >= 2");
    }

    @Test
    void acceptsAUserJudgementFile() throws IOException {
        // judge the first 12 prompts only: the rest are left out
        StringBuilder judgements = new StringBuilder();
        for (int id = 0; id < 12; id++) {
            judgements.append("{\"id\": ").append(id).append(", \"quality\": ").append(id % 3 == 0 ? 0.2 : 0.9).append("}\n");
        }
        Path file = Files.writeString(dir.resolve("judgements.jsonl"), judgements);
        String report = run("--judgements", file.toString());
        assertThat(report).contains("12 prompts answered").contains("judgements from");
        // always-small quality of the evaluation split (odd ids 1..11: 3 and 9 judged 0.2) = (4 * 0.9 + 2 * 0.2) / 6
        assertThat(report).contains("always-small quality 0.6667, always-large 1.0000");
    }
}
