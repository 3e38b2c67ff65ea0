package io.speculum.generation;

import io.speculum.llama.DecodeBatch;
import io.speculum.llama.InferenceContext;
import java.util.Arrays;
import java.util.List;

/**
 * The plain decode loop of one generation on one KV sequence, without speculation: prefill the prompt, then choose a
 * token from the last logits, hand it over, decode it, until the sequence ends. The cascade's in-process generator and
 * the detector's text sampler run it. Independent sequences may run side by side (the i-th on KV sequence i, one decode
 * per step for all of them) to fill the batch; each still produces what it would alone where the context is
 * batch-invariant.
 */
public final class SingleSequenceLoop {

    /** One generation's rules: its prompt, how it picks a token, and what it does with the token (the stop rule). */
    public interface Sequence {

        /** The prompt's tokens, at least one. */
        int[] prompt();

        /** The token for {@code position}, from the logits predicting it (a copy: it may change them, e.g. penalise). */
        int choose(float[] logits, int position);

        /**
         * Takes the token {@link #choose} picked, with the logits as {@code choose} left them. True goes on: the token is
         * decoded at {@code position} and the next one chosen; false ends the sequence, the token not decoded.
         */
        boolean accept(int token, float[] logits, int position);
    }

    private SingleSequenceLoop() {
    }

    /** Runs one sequence on an emptied {@code context} until it ends. */
    public static void run(InferenceContext context, Sequence sequence) {
        run(context, List.of(sequence));
    }

    /** Runs independent sequences side by side on an emptied {@code context} until every one has ended. */
    public static void run(InferenceContext context, List<? extends Sequence> sequences) {
        if (sequences.size() > context.maxSequences()) {
            throw new IllegalArgumentException(sequences.size() + " sequences; the context holds " + context.maxSequences());
        }
        context.clear();
        float[][] logits = prefill(context, sequences);
        int[] position = sequences.stream().mapToInt(s -> s.prompt().length).toArray();
        boolean[] active = new boolean[sequences.size()];
        Arrays.fill(active, true);
        int[] row = new int[sequences.size()];
        DecodeBatch batch = new DecodeBatch(sequences.size());
        while (true) {
            batch.clear();
            for (int s = 0; s < sequences.size(); s++) {
                if (active[s]) {
                    Sequence sequence = sequences.get(s);
                    int token = sequence.choose(logits[s], position[s]);
                    active[s] = sequence.accept(token, logits[s], position[s]);
                    if (active[s]) {
                        row[s] = batch.add(token, position[s]++, s, true);
                    }
                }
            }
            if (batch.isEmpty()) {
                return;
            }
            context.decode(batch);
            for (int s = 0; s < sequences.size(); s++) {
                if (active[s]) {
                    logits[s] = context.logits(row[s]);
                }
            }
        }
    }

    /**
     * Decodes the prompts in batches the context takes, in order, a prompt split across batches where it must; returns
     * the logits after each prompt's last token.
     */
    private static float[][] prefill(InferenceContext context, List<? extends Sequence> sequences) {
        float[][] logits = new float[sequences.size()][];
        int[] lastRow = new int[sequences.size()];
        DecodeBatch batch = new DecodeBatch(context.batchSize());
        int firstInBatch = 0;
        for (int s = 0; s < sequences.size(); s++) {
            int[] prompt = sequences.get(s).prompt();
            if (prompt.length == 0) {
                throw new IllegalArgumentException("sequence " + s + " has an empty prompt");
            }
            for (int start = 0; start < prompt.length; ) {
                int end = Math.min(prompt.length, start + context.batchSize() - batch.size());
                lastRow[s] = batch.addSequence(s, Arrays.copyOfRange(prompt, start, end), start, false) + end - start - 1;
                start = end;
                if (batch.size() == context.batchSize()) {
                    decode(context, batch, firstInBatch, s, start == prompt.length, lastRow, logits);
                    firstInBatch = start == prompt.length ? s + 1 : s;
                }
            }
        }
        if (!batch.isEmpty()) {
            decode(context, batch, firstInBatch, sequences.size() - 1, true, lastRow, logits);
        }
        return logits;
    }

    /** Decodes a prefill batch and keeps the logits of the prompts that end in it ({@code from..to}, the last if ended). */
    private static void decode(InferenceContext context, DecodeBatch batch, int from, int to, boolean lastEnded, int[] lastRow,
                               float[][] logits) {
        context.decode(batch);
        for (int s = from; s <= to; s++) {
            if (s < to || lastEnded) {
                logits[s] = context.logits(lastRow[s]);
            }
        }
        batch.clear();
    }
}
