package io.speculum.verifier;

import io.speculum.llama.ContextOptions;
import io.speculum.llama.DecodeBatch;
import io.speculum.llama.InferenceContext;
import io.speculum.llama.LogitsView;
import io.speculum.llama.Model;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Greedy paths of the target alone (deterministic, many prompts per decode) and where they pass a near-tie: a step
 * whose two best logits differ by less than a threshold, where the last bit of any logit can change the token.
 */
final class NearTies {

    private static final int SEQUENCES = 16;

    /** One prompt's greedy completion and its closest call. */
    record Path(int prompt, int[] tokens, int closestStep, float closestGap) {
    }

    private NearTies() {
    }

    /** Greedy completions of up to {@code tokens} tokens for every prompt, sixteen prompts per decode. */
    static List<Path> greedyPaths(Model model, List<int[]> prompts, int tokens) {
        List<Path> paths = new ArrayList<>();
        int longest = prompts.stream().mapToInt(p -> p.length).max().orElse(0) + tokens;
        ContextOptions options = ContextOptions.defaults(SEQUENCES * Math.min(longest, model.metadata().trainingContext()))
                .withMaxSequences(SEQUENCES).withBatchSize(512).withDeterminism(true);
        try (InferenceContext context = model.newContext(options)) {
            for (int from = 0; from < prompts.size(); from += SEQUENCES) {
                List<int[]> group = prompts.subList(from, Math.min(prompts.size(), from + SEQUENCES));
                paths.addAll(group(context, group, from, tokens));
                for (int s = 0; s < group.size(); s++) {
                    context.clearSequence(s);
                }
            }
        }
        return paths;
    }

    private static List<Path> group(InferenceContext context, List<int[]> prompts, int firstIndex, int tokens) {
        int n = prompts.size();
        int[][] out = new int[n][tokens];
        int[] produced = new int[n];
        int[] closestStep = new int[n];
        float[] closestGap = new float[n];
        Arrays.fill(closestGap, Float.POSITIVE_INFINITY);
        DecodeBatch batch = new DecodeBatch();
        DecodeBatch next = new DecodeBatch();
        for (int s = 0; s < n; s++) { // prompts one per decode (a batch holds 512 tokens), their first tokens all in one
            batch.clear();
            int row = batch.addSequence(s, prompts.get(s), 0, false) + prompts.get(s).length - 1;
            context.decode(batch);
            step(context, context.logitsView(row), s, prompts.get(s).length, 0, out, produced, closestStep, closestGap, next);
        }
        for (int step = 1; step < tokens && !next.isEmpty(); step++) {
            context.decode(next);
            batch.clear();
            for (int i = 0; i < next.size(); i++) {
                int s = next.sequenceIds(i)[0];
                step(context, context.logitsView(i), s, next.position(i) + 1, step, out, produced, closestStep, closestGap, batch);
            }
            DecodeBatch swap = next;
            next = batch;
            batch = swap;
        }
        List<Path> paths = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            paths.add(new Path(firstIndex + s, Arrays.copyOf(out[s], produced[s]), closestStep[s], closestGap[s]));
        }
        return paths;
    }

    /** Takes sequence {@code s}'s greedy token at {@code position} and, unless it ends there, adds it to {@code next}. */
    private static void step(InferenceContext context, LogitsView logits, int s, int position, int step, int[][] out, int[] produced,
            int[] closestStep, float[] closestGap, DecodeBatch next) {
        int best = logits.argmax();
        if (context.model().vocabulary().isEndOfGeneration(best) || position + 1 >= context.positionLimit()) {
            return;
        }
        float gap = logits.get(best) - secondBest(logits, best);
        if (gap < closestGap[s]) {
            closestGap[s] = gap;
            closestStep[s] = step;
        }
        out[s][produced[s]++] = best;
        next.add(best, position, s, true);
    }

    private static float secondBest(LogitsView logits, int best) {
        float second = Float.NEGATIVE_INFINITY;
        for (int v = 0; v < logits.size(); v++) {
            if (v != best && logits.get(v) > second) {
                second = logits.get(v);
            }
        }
        return second;
    }
}
