package io.speculum.detector;

import io.speculum.llama.ContextOptions;
import io.speculum.llama.InferenceContext;
import io.speculum.llama.Model;
import io.speculum.llama.OutputLayer;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One observer's context in a {@link TextScorer}, and its output layer where that runs in Java: a hidden-state
 * context whose rows are projected beside the decoding thread, once the layer read from the file has been checked
 * against llama.cpp's logits; otherwise a logits context.
 */
record ObserverContext(InferenceContext context, OutputLayer layer) {

    private static final Logger LOG = LoggerFactory.getLogger(ObserverContext.class);
    private static final String PROBE = "Once upon a time, there was a little girl named Lily. She liked to play in the park with her dog.";
    /** Largest logit difference from llama.cpp's own output layer that counts as the same layer (rounding is ~1e-5). */
    private static final double PROBE_TOLERANCE = 1e-3;

    static ObserverContext open(Model model, ContextOptions options, int threads) {
        OutputLayer layer = verifiedLayer(model, threads);
        if (layer == null) {
            return new ObserverContext(model.newContext(options), null);
        }
        return new ObserverContext(model.newHiddenStateContext(options), layer);
    }

    private static OutputLayer verifiedLayer(Model model, int threads) {
        String name = model.options().path().getFileName().toString();
        OutputLayer.Loaded loaded = OutputLayer.load(model);
        if (!loaded.present()) {
            LOG.info("{}: llama.cpp computes the output layer on the decoding thread ({})", name, loaded.unavailable());
            return null;
        }
        double difference;
        try {
            difference = loaded.layer().maxDifference(model, model.vocabulary().tokenize(PROBE), threads);
        } catch (RuntimeException e) {
            LOG.warn("{}: could not check the output layer read from the file ({}); llama.cpp computes it", name, e.toString());
            return null;
        }
        if (difference > PROBE_TOLERANCE) {
            LOG.warn("{}: the output layer read from the file differs from llama.cpp's logits by up to {}; llama.cpp computes it",
                    name, difference);
            return null;
        }
        LOG.info("{}: the output layer runs on the statistics thread (within {} of llama.cpp's logits)", name, difference);
        return loaded.layer();
    }

    /** The rows of every contributed prediction, window by window, in index order (see {@link ObserverRows}). */
    ObserverRows read(List<TextScorer.Segment> round, int[] firstRow) {
        int total = 0;
        for (TextScorer.Segment segment : round) {
            total += segment.contributed();
        }
        float[][] logits = layer == null ? new float[total][] : null;
        float[] states = layer == null ? null : new float[total * layer.hidden()];
        int r = 0;
        for (int s = 0; s < round.size(); s++) {
            int count = round.get(s).contributed();
            for (int k = 0; k < count; k++, r++) {
                if (layer == null) {
                    logits[r] = new float[context.vocabularySize()];
                    context.copyLogits(firstRow[s] + k, logits[r]);
                } else {
                    context.copyHiddenState(firstRow[s] + k, states, r * layer.hidden());
                }
            }
        }
        return new ObserverRows(layer, logits, states);
    }

    void close() {
        context.close();
    }
}
