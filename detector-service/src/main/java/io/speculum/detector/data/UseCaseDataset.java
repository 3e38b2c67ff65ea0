package io.speculum.detector.data;

import io.speculum.llama.Model;
import io.speculum.llama.Vocabulary;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Detection as it is used: machine texts continue a human opening of a story ({@link Stories#opening}) with a
 * generator and a {@link Decoding}; human texts are windows of the corpus. Every text is cut to a nominal length in
 * tokens of the length vocabulary (stories260K's, the shipped observer's), so lengths mean the same for every
 * generator. Stories, and so openings and windows, are disjoint across splits ({@link Stories}).
 */
public final class UseCaseDataset {

    public static final List<Integer> LENGTHS = List.of(64, 128, 256);
    /** Tokens between the starts of consecutive human windows of one shelf (windows overlap for the longer lengths). */
    public static final int WINDOW_STRIDE = 160;
    /** A machine text that stopped early is kept for a length if it reached this share of it. */
    public static final double MIN_SHARE = 0.75;

    /**
     * @param openingsPerSplit at most this many openings (stories, in corpus order) of each split are continued
     */
    public record Plan(List<Split> splits, List<Decoding> decodings, List<Integer> lengths, int openingsPerSplit, long seed) {
    }

    private UseCaseDataset() {
    }

    /** Human windows of every length, for the splits of the plan. */
    public static List<LabelledText> human(List<Stories.Story> stories, Vocabulary lengthVocabulary, Plan plan) {
        Map<Integer, List<Stories.Story>> shelves = new TreeMap<>();
        stories.forEach(s -> shelves.computeIfAbsent(s.shelf(), k -> new ArrayList<>()).add(s));
        List<LabelledText> out = new ArrayList<>();
        for (int length : plan.lengths()) {
            for (List<Stories.Story> shelf : shelves.values()) {
                Split split = shelf.getFirst().split();
                if (!plan.splits().contains(split)) {
                    continue;
                }
                List<String> windows = Stories.windows(shelf, lengthVocabulary, length, WINDOW_STRIDE);
                for (int w = 0; w < windows.size(); w++) {
                    out.add(new LabelledText("h" + shelf.getFirst().shelf() + "." + w + "-" + length, windows.get(w), false,
                            split, null, length));
                }
            }
        }
        return out;
    }

    /** Continuations by {@code generator} of the openings of each split, one per decoding, cut to every length. */
    public static List<LabelledText> machine(List<Stories.Story> stories, Vocabulary lengthVocabulary, Model generator,
                                             String generatorName, Plan plan, int threads) {
        int longest = plan.lengths().stream().mapToInt(Integer::intValue).max().orElseThrow();
        List<LabelledText> out = new ArrayList<>();
        for (Split split : plan.splits()) {
            List<Stories.Story> chosen = stories.stream().filter(s -> s.split() == split).limit(plan.openingsPerSplit()).toList();
            List<MachineTextSampler.Prompt> prompts = new ArrayList<>();
            for (Stories.Story s : chosen) {
                prompts.add(new MachineTextSampler.Prompt(s.number(), Stories.opening(s, lengthVocabulary)));
            }
            for (Decoding decoding : plan.decodings()) {
                // generator tokens are at least as long as the length vocabulary's here (vocabulary 512 vs 2048)
                List<String> texts = new MachineTextSampler(generator, decoding, longest, plan.seed(), threads).complete(prompts);
                String setting = generatorName + "/" + decoding.name();
                for (int i = 0; i < texts.size(); i++) {
                    String text = texts.get(i).replaceAll("\\s+", " ");
                    for (int length : plan.lengths()) {
                        String cut = Stories.cut(text, lengthVocabulary, length);
                        if (cut != null && Stories.length(cut, lengthVocabulary) >= MIN_SHARE * length) {
                            out.add(new LabelledText("m" + chosen.get(i).number() + "-" + setting + "-" + length, cut, true,
                                    split, setting, length));
                        }
                    }
                }
            }
        }
        return out;
    }
}
