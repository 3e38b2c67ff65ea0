package io.speculum.bench;

import io.speculum.drafter.drafters.Drafter;
import io.speculum.llama.WeightFormat;

/**
 * A drafter the benchmark measures: a label for the tables, the name requests ask for it by
 * ({@code speculation.drafter}), how to open it, and the most tree branches the verifier asks it for (1: chains).
 */
record DrafterCase(String label, String name, Opener opener, int treeBranches) {

    DrafterCase(String label, String name, Opener opener) {
        this(label, name, opener, 1);
    }

    /** The same drafter asked for token trees of up to {@code branches} branches. */
    DrafterCase asTree(int branches) {
        return new DrafterCase(label + " tree", name, opener, branches);
    }

    /** Opens the drafter over the benchmark's models, with KV room for {@code sequences} concurrent requests. */
    @FunctionalInterface
    interface Opener {
        Drafter open(BenchModels models, int sequences);
    }

    /** A model drafter over a copy of stories260K derived at start (quantised and/or its first blocks). */
    static DrafterCase derived(String label, String name, WeightFormat format, int keepBlocks) {
        return new DrafterCase(label, name, (models, sequences) -> models.modelDrafter(name, models.derived(format, keepBlocks), sequences));
    }
}
