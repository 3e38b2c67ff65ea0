package io.speculum.detector.data;

import io.speculum.llama.Model;
import io.speculum.llama.Vocabulary;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Detection as it is used: machine texts continue a human opening ({@link Stories#opening}: the first sentence or
 * first 30 tokens of a human window) with a generator and a {@link Decoding}; human texts are windows of the corpus
 * starting at sentence starts, so machine and human texts start alike. Every text is cut to a nominal length in
 * tokens of the length vocabulary (stories260K's, the shipped observer's), so lengths mean the same for every
 * generator. Stories, and so openings and windows, are disjoint across splits ({@link Stories}).
 */
public final class UseCaseDataset {

    public static final List<Integer> LENGTHS = List.of(64, 128, 256);
    /** Tokens between the starts of consecutive human windows of one shelf (windows overlap for the longer lengths). */
    public static final int WINDOW_STRIDE = 160;
    /** A machine text that stopped early is kept for a length if it reached this share of it. */
    public static final double MIN_SHARE = 0.75;
    /** Length of the windows whose starts are the openings. */
    static final int OPENING_WINDOW = 64;

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

    /** At most {@code perGroup} texts of each split and length, evenly spread over each group (0: all). */
    public static List<LabelledText> spread(List<LabelledText> texts, int perGroup) {
        if (perGroup <= 0) {
            return texts;
        }
        Map<String, List<LabelledText>> groups = new java.util.LinkedHashMap<>();
        texts.forEach(t -> groups.computeIfAbsent(t.split() + "/" + t.length(), k -> new ArrayList<>()).add(t));
        List<LabelledText> out = new ArrayList<>();
        for (List<LabelledText> group : groups.values()) {
            int n = Math.min(perGroup, group.size());
            for (int i = 0; i < n; i++) {
                out.add(group.get((int) ((long) i * group.size() / n)));
            }
        }
        return out;
    }

    private static boolean spellable(Vocabulary vocabulary, String text) {
        try {
            vocabulary.checkSpellable(text, false);
            return true;
        } catch (io.speculum.llama.LlamaException e) {
            return false;
        }
    }

    /**
     * The openings continued in a split: the starts of {@code count} of its human windows (of the shortest length,
     * which has the most starts), evenly spread over the split; a prompt's id is its window's number in the split.
     */
    static List<MachineTextSampler.Prompt> openings(List<Stories.Story> stories, Vocabulary vocabulary, Split split, int count) {
        Map<Integer, List<Stories.Story>> shelves = new TreeMap<>();
        stories.stream().filter(s -> s.split() == split).forEach(s -> shelves.computeIfAbsent(s.shelf(), k -> new ArrayList<>()).add(s));
        List<String> starts = new ArrayList<>();
        for (List<Stories.Story> shelf : shelves.values()) {
            starts.addAll(Stories.windows(shelf, vocabulary, OPENING_WINDOW, WINDOW_STRIDE));
        }
        int n = Math.min(count, starts.size());
        List<MachineTextSampler.Prompt> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int window = (int) ((long) i * starts.size() / n);
            out.add(new MachineTextSampler.Prompt(window, Stories.opening(starts.get(window), i, vocabulary)));
        }
        return out;
    }

    /** Continuations by {@code generator} of the openings of each split, one per decoding, cut to every length. */
    public static List<LabelledText> machine(List<Stories.Story> stories, Vocabulary lengthVocabulary, Model generator,
                                             String generatorName, Plan plan, int threads) {
        int longest = plan.lengths().stream().mapToInt(Integer::intValue).max().orElseThrow();
        List<LabelledText> out = new ArrayList<>();
        for (Split split : plan.splits()) {
            // an opening the generator's vocabulary cannot spell (TinyStories-656K lacks some punctuation) is left out
            List<MachineTextSampler.Prompt> prompts = openings(stories, lengthVocabulary, split, plan.openingsPerSplit()).stream()
                    .filter(p -> spellable(generator.vocabulary(), p.text())).toList();
            for (Decoding decoding : plan.decodings()) {
                // generator tokens are at least as long as the length vocabulary's here (vocabulary 512 vs 2048); no
                // early end, so every text reaches every length (a story that ends goes on with the next, as windows do)
                List<String> texts = new MachineTextSampler(generator, decoding, longest, longest, plan.seed(), threads).complete(prompts);
                // TinyStories-656K spells its end-of-story marker out in plain tokens too; a user would drop it
                String setting = generatorName + "/" + decoding.name();
                for (int i = 0; i < texts.size(); i++) {
                    String text = texts.get(i).replaceAll("<\\|[a-z_]+\\|>", " ").replaceAll("\\s+", " ").strip();
                    for (int length : plan.lengths()) {
                        String cut = Stories.cut(text, lengthVocabulary, length);
                        if (cut != null && Stories.length(cut, lengthVocabulary) >= MIN_SHARE * length) {
                            out.add(new LabelledText("m" + prompts.get(i).id() + "-" + setting + "-" + length, cut, true,
                                    split, setting, length));
                        }
                    }
                }
            }
        }
        return out;
    }
}
