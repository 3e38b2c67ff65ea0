package io.speculum.detector.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.speculum.llama.Model;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The use-like task on the real corpus and model: disjoint stories, exact lengths, continuations of openings. */
class UseCaseDatasetTest {

    private static final Path SHARED = Path.of(System.getProperty("speculum.shared.dir", "../../shared"));

    @Test
    void storiesGoToOneSplitEachAndHumanWindowsHaveTheirLength() throws Exception {
        List<Stories.Story> stories = Stories.of(Files.readString(SHARED.resolve("data/tinystories/val-a.txt")));
        assertThat(stories).hasSizeGreaterThan(400).allMatch(s -> s.text().startsWith("Once upon a time"));
        assertThat(stories.stream().map(Stories.Story::split).collect(Collectors.toSet())).containsExactlyInAnyOrder(Split.values());
        try (Model model = Model.load(SHARED.resolve("models/stories260K.gguf"))) {
            List<Stories.Story> firstShelves = stories.subList(0, 5 * Stories.PER_SHELF);
            UseCaseDataset.Plan plan = new UseCaseDataset.Plan(List.of(Split.CALIBRATE, Split.EVALUATE), Decoding.SETTINGS, List.of(64, 128), 2, 7);
            List<LabelledText> human = UseCaseDataset.human(firstShelves, model.vocabulary(), plan);
            assertThat(human).isNotEmpty().allMatch(t -> !t.machine() && t.split() != Split.TRAIN)
                    .allMatch(t -> Math.abs(Stories.length(t.text(), model.vocabulary()) - t.length()) <= 2);
            Set<String> calibrateText = new HashSet<>();
            firstShelves.stream().filter(s -> s.split() == Split.CALIBRATE).forEach(s -> calibrateText.add(s.text()));
            for (LabelledText t : human) {
                String head = t.text().substring(0, 40);
                boolean inCalibrate = calibrateText.stream().anyMatch(s -> s.contains(head));
                assertThat(inCalibrate).as("window %s comes from its split's stories", t.id()).isEqualTo(t.split() == Split.CALIBRATE);
            }
        }
    }

    @Test
    void machineTextsContinueTheirStorysOpeningWithEachDecoding() throws Exception {
        List<Stories.Story> stories = Stories.of(Files.readString(SHARED.resolve("data/tinystories/val-a.txt")));
        try (Model model = Model.load(SHARED.resolve("models/stories260K.gguf"))) {
            UseCaseDataset.Plan plan = new UseCaseDataset.Plan(List.of(Split.EVALUATE), Decoding.SETTINGS, List.of(64), 2, 7);
            List<LabelledText> machine = UseCaseDataset.machine(stories, model.vocabulary(), model, "stories260K", plan, 1);
            assertThat(machine).hasSize(8).allMatch(t -> t.machine() && t.split() == Split.EVALUATE && t.length() == 64);
            assertThat(machine.stream().map(LabelledText::setting).distinct()).containsExactly(
                    "stories260K/T1", "stories260K/T0.8-p0.95", "stories260K/T0.7-k40", "stories260K/greedy-rp1.3");
            List<MachineTextSampler.Prompt> openings = UseCaseDataset.openings(stories, model.vocabulary(), Split.EVALUATE, 2);
            assertThat(openings).hasSize(2);
            for (LabelledText t : machine) {
                MachineTextSampler.Prompt opening = openings.stream().filter(o -> t.id().startsWith("m" + o.id() + "-")).findFirst().orElseThrow();
                assertThat(t.text()).startsWith(opening.text().substring(0, opening.text().length() - 3));
                assertThat(t.text().length()).isGreaterThan(opening.text().length() + 20);
                assertThat(t.text()).doesNotContain("<|");
                assertThat(Stories.length(t.text(), model.vocabulary())).isBetween(62, 66);
            }
            assertThat(openings.getFirst().text()).matches(".*[.!?][\"”']?"); // a first sentence
            assertThat(Stories.length(openings.get(1).text(), model.vocabulary())).isBetween(Stories.OPENING_TOKENS - 2, Stories.OPENING_TOKENS + 2);
            // greedy decoding with its penalty is deterministic: the same again
            UseCaseDataset.Plan greedy = new UseCaseDataset.Plan(List.of(Split.EVALUATE), List.of(Decoding.GREEDY_PENALISED), List.of(64), 2, 99);
            assertThat(UseCaseDataset.machine(stories, model.vocabulary(), model, "stories260K", greedy, 1))
                    .extracting(LabelledText::text)
                    .containsExactlyElementsOf(machine.stream().filter(t -> t.setting().endsWith("greedy-rp1.3")).map(LabelledText::text).toList());
        }
    }
}
