package io.speculum.bench;

import io.speculum.drafter.drafters.HybridDrafter;
import io.speculum.drafter.drafters.NGramDrafter;
import io.speculum.drafter.drafters.RecyclingDrafter;
import io.speculum.drafter.drafters.SuccessorTable;
import io.speculum.llama.WeightFormat;
import java.util.List;

/** The drafters the speculative decoding benchmark measures. */
final class BenchDrafters {

    /** Branches of the token-tree rows (speculum.verifier.tree-branches). */
    static final int TREE_BRANCHES = 4;

    /**
     * Every drafter of the acceptance table (and of the automatic-policy section), in table order. A new drafter
     * kind is one line: its label, the name requests ask for it by, and how to open it over {@link BenchModels},
     * e.g. {@code new DrafterCase("n-gram", "ngram", (models, sequences) -> new NGramDrafter("ngram", ...))}.
     */
    static final List<DrafterCase> ALL = List.of(
            DrafterCase.derived("Q8_0 copy", "q8", WeightFormat.Q8_0, 0),
            DrafterCase.derived("2-layer copy", "layers-2", WeightFormat.KEEP, 2),
            DrafterCase.derived("1-layer copy", "layers-1", WeightFormat.KEEP, 1),
            new DrafterCase("n-gram lookup", "ngram", (models, sequences) -> new NGramDrafter(models.vocabulary())),
            new DrafterCase("token recycling", "recycling", (models, sequences) -> new RecyclingDrafter(models.vocabulary(),
                    new SuccessorTable(65536, 8))),
            new DrafterCase("hybrid", "hybrid", (models, sequences) -> new HybridDrafter(models.vocabulary(),
                    new SuccessorTable(65536, 8), 64)),
            DrafterCase.derived("Q8_0 copy", "q8", WeightFormat.Q8_0, 0).asTree(TREE_BRANCHES),
            new DrafterCase("token recycling", "recycling", (models, sequences) -> new RecyclingDrafter(models.vocabulary(),
                    new SuccessorTable(65536, 8))).asTree(TREE_BRANCHES),
            new DrafterCase("hybrid", "hybrid", (models, sequences) -> new HybridDrafter(models.vocabulary(),
                    new SuccessorTable(65536, 8), 64)).asTree(TREE_BRANCHES));

    /** The drafter of the wall-clock comparison (java-llama.cpp's built-in speculation gets the same model file). */
    static final WeightFormat WALL_CLOCK_FORMAT = WeightFormat.Q8_0;
    static final DrafterCase WALL_CLOCK = ALL.getFirst();

    private BenchDrafters() {
    }
}
