package io.speculum.llama;

import java.util.Arrays;

/** Plain greedy decoding through an {@link InferenceContext}: the target-only reference for other tests. */
public final class Greedy {

    private Greedy() {
    }

    /** Prefills {@code prompt} on sequence 0 and generates up to {@code n} tokens, stopping at end of generation. */
    public static int[] generate(InferenceContext context, int[] prompt, int n) {
        Vocabulary vocabulary = context.model().vocabulary();
        DecodeBatch batch = new DecodeBatch();
        batch.addSequence(0, prompt, 0, false);
        context.decode(batch);
        int[] out = new int[n];
        int produced = 0;
        int position = prompt.length;
        int last = batch.size() - 1;
        while (produced < n) {
            int next = context.logitsView(last).argmax();
            if (vocabulary.isEndOfGeneration(next)) {
                break;
            }
            out[produced++] = next;
            batch.clear();
            last = batch.add(next, position++, 0, true);
            context.decode(batch);
        }
        return Arrays.copyOf(out, produced);
    }
}
