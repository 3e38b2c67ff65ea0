package io.speculum.detector.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.speculum.detector.DetectorFiles;
import io.speculum.detector.scoring.TokenFrequencies;
import io.speculum.llama.Model;
import io.speculum.llama.ModelOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DetectorCommandsTest {

    static final Path STORIES = Path.of(System.getProperty("speculum.shared.dir", "../../shared"), "models", "stories260K.gguf");

    @Test
    void frequenciesCountsTheObserversTokensOfEachLine(@TempDir Path dir) throws Exception {
        Path text = Files.writeString(dir.resolve("corpus.txt"), "The cat sat.\n\nThe dog ran to the park.\n");
        Path out = dir.resolve("frequencies.json");
        assertThat(DetectorCommands.run("frequencies", "--observer", STORIES.toString(), "--text", text.toString(),
                "--out", out.toString())).isZero();
        TokenFrequencies table = DetectorFiles.read(out, TokenFrequencies.class);
        try (Model vocabulary = Model.load(ModelOptions.vocabularyOnly(STORIES))) {
            int[] a = vocabulary.vocabulary().tokenize("The cat sat.");
            int[] b = vocabulary.vocabulary().tokenize("The dog ran to the park.");
            assertThat(table.total()).isEqualTo(a.length + b.length);
            assertThat(table.vocabularyFingerprint()).isEqualTo(vocabulary.vocabulary().fingerprint().value());
            long bos = Arrays.stream(a).filter(t -> t == a[0]).count() + Arrays.stream(b).filter(t -> t == a[0]).count();
            assertThat(table.counts()[a[0]]).isEqualTo(bos);
        }
    }

    @Test
    void badUsageAndUnknownCommandsFailWithUsageCodes() {
        assertThat(DetectorCommands.run("frequencies", "--observer", STORIES.toString())).isEqualTo(2);
        assertThat(DetectorCommands.run("nonsense")).isEqualTo(2);
        assertThat(DetectorCommands.NAMES).containsExactlyInAnyOrder("dataset", "continuations", "scores", "combine", "frequencies", "train", "calibrate", "evaluate");
    }
}
