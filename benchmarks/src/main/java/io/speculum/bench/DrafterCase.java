package io.speculum.bench;

import io.speculum.drafter.Drafter;
import io.speculum.llama.WeightFormat;

/**
 * A drafter the benchmark measures: a label for the tables, the name requests ask for it by
 * ({@code speculation.drafter}), and how to open it.
 */
record DrafterCase(String label, String name, Opener opener) {

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
