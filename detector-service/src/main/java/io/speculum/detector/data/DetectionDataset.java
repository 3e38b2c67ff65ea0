package io.speculum.detector.data;

import io.speculum.llama.Model;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The white-box detection task: continuations sampled from a generator (machine) against blocks of the human corpus
 * of similar length (human), each assigned to a {@link Split} by corpus block, and a prompt to the split of the block
 * it was cut from. A split holds at most {@code perClass} texts of each kind, taken in file order.
 */
public final class DetectionDataset {

    /** Where the texts come from and how many to take. */
    /**
     * @param trainSamplesPerPrompt continuations sampled per prompt of the train split (each with its own seed), to
     *                              give the learned detector more machine texts than there are prompts
     */
    public record Source(Path prompts, Path corpus, int sampleTokens, long seed, int humanMinTokens, int humanMaxTokens,
                         int perClass, int trainSamplesPerPrompt) {

        public static Source tinyStories(Path dataDir, int perClass) {
            return new Source(dataDir.resolve("tinystories/prompts-a.jsonl"), dataDir.resolve("tinystories/val-a.txt"),
                    128, 20261201L, 96, 192, perClass, 1);
        }

        public Source withTrainSamplesPerPrompt(int samples) {
            return new Source(prompts, corpus, sampleTokens, seed, humanMinTokens, humanMaxTokens, perClass, samples);
        }
    }

    private DetectionDataset() {
    }

    public static List<LabelledText> build(Model generator, Source source, Set<Split> splits, int threads) {
        List<String> paragraphs;
        List<JsonNode> prompts = new ArrayList<>();
        try {
            paragraphs = HumanBlocks.paragraphs(Files.readString(source.corpus()));
            JsonMapper json = JsonMapper.builder().build();
            for (String line : Files.readAllLines(source.prompts())) {
                if (!line.isBlank()) {
                    prompts.add(json.readTree(line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the detection data", e);
        }
        List<HumanBlocks.Block> blocks = HumanBlocks.blocks(paragraphs, generator.vocabulary(), source.humanMinTokens());
        int[] blockOfParagraph = new int[paragraphs.size()];
        for (HumanBlocks.Block b : blocks) {
            for (int p = b.firstParagraph(); p <= b.lastParagraph(); p++) {
                blockOfParagraph[p] = b.number();
            }
        }
        List<LabelledText> out = new ArrayList<>();
        for (Split split : EnumSet.copyOf(splits)) {
            List<MachineTextSampler.Prompt> chosen = new ArrayList<>();
            for (JsonNode prompt : prompts) {
                int id = prompt.path("id").asInt();
                String text = prompt.path("prompt").asString();
                if (splitOfPrompt(text, id, paragraphs, blockOfParagraph) == split && chosen.size() < source.perClass()) {
                    chosen.add(new MachineTextSampler.Prompt(id, text));
                }
            }
            int draws = split == Split.TRAIN ? Math.max(1, source.trainSamplesPerPrompt()) : 1;
            for (int k = 0; k < draws; k++) {
                List<String> samples = new MachineTextSampler(generator, source.sampleTokens(), source.seed() + 1_000_003L * k, threads)
                        .sample(chosen);
                for (int i = 0; i < chosen.size(); i++) {
                    out.add(new LabelledText("m" + chosen.get(i).id() + (k == 0 ? "" : "-" + k), samples.get(i), true, split));
                }
            }
            int humans = 0;
            for (HumanBlocks.Block b : blocks) {
                if (Split.ofBlock(b.number()) == split && b.tokens() >= source.humanMinTokens()
                        && b.tokens() <= source.humanMaxTokens() && humans < source.perClass()) {
                    out.add(new LabelledText("h" + b.number(), b.text(), false, split));
                    humans++;
                }
            }
        }
        return out;
    }

    private static Split splitOfPrompt(String prompt, int id, List<String> paragraphs, int[] blockOfParagraph) {
        for (int p = 0; p < paragraphs.size(); p++) {
            if (paragraphs.get(p).startsWith(prompt)) {
                return Split.ofBlock(blockOfParagraph[p]);
            }
        }
        return Split.ofBlock(id);
    }
}
