package io.speculum.llama;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Greedy paths of a model alone (deterministic, sixteen prompts per decode) and each path's closest call: the step
 * whose two best logits differ least, where the last bit of a logit could change the token (a near-tie). Tests and
 * benchmarks use it to find the prompts that would show a nondeterministic decode.
 */
public final class GreedyPaths {

    private static final int SEQUENCES = 16;

    /**
     * One prompt's greedy completion and its closest call.
     *
     * @param prompt      the prompt's index
     * @param closestStep the completion index where the two best logits differed least (end-of-generation excluded)
     * @param closestGap  their difference there
     */
    public record Path(int prompt, int[] tokens, int closestStep, float closestGap) {
    }

    private GreedyPaths() {
    }

    /** Greedy completions of up to {@code tokens} tokens for every prompt, sixteen prompts per decode. */
    public static List<Path> of(Model model, List<int[]> prompts, int tokens) {
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
