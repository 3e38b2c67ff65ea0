package io.speculum.llama;

import java.util.Arrays;
import java.util.Random;

/**
 * A random life of one sequence in a shared context: its prompt and continuation decoded in chunks of random size,
 * mixed into decodes with other sequences' tokens, in a random slot, with drafts rolled back, other sequences
 * growing, shrinking and being freed around it (so its cells land anywhere and the cache fills up), and now and
 * then a fork that continues on another sequence sharing its prefix (a tree branch). {@link #run()} returns the
 * logits after each continuation token, to compare with {@link #alone}.
 */
final class DecodeSchedule {

    private static final int NOISE_LIMIT = 40;

    private final InferenceContext context;
    private final Random random;
    private final int[] prompt;
    private final int[] continuation;
    private final DecodeBatch batch = new DecodeBatch();
    private final StringBuilder log = new StringBuilder();
    private int target;

    DecodeSchedule(InferenceContext context, Random random, int[] prompt, int[] continuation) {
        this.context = context;
        this.random = random;
        this.prompt = prompt;
        this.continuation = continuation;
    }

    /** The reference: the sequence alone in a fresh context, the prompt in one decode, then one token per decode. */
    static float[][] alone(Model model, ContextOptions options, int[] prompt, int[] continuation) {
        float[][] rows = new float[continuation.length][];
        try (InferenceContext context = model.newContext(options)) {
            DecodeBatch batch = new DecodeBatch();
            batch.addSequence(0, prompt, 0, false);
            context.decode(batch);
            for (int i = 0; i < continuation.length; i++) {
                batch.clear();
                batch.add(continuation[i], prompt.length + i, 0, true);
                context.decode(batch);
                rows[i] = context.logits(0);
            }
        }
        return rows;
    }

    float[][] run() {
        target = random.nextInt(context.maxSequences());
        log.append("slot ").append(target);
        for (int warmUp = random.nextInt(30); warmUp > 0; warmUp--) { // the cache as earlier sessions left it
            batch.clear();
            addNoise();
            if (!batch.isEmpty()) {
                context.decode(batch);
            }
        }
        for (int from = 0; from < prompt.length; ) {
            int n = Math.min(prompt.length - from, 1 + random.nextInt(8));
            decodeTarget(prompt, from, n, from, false);
            from += n;
        }
        float[][] rows = new float[continuation.length][];
        for (int i = 0; i < continuation.length; ) {
            if (random.nextInt(4) == 0) {
                rolledBackDraft(prompt.length + i);
            }
            if (random.nextInt(7) == 0) {
                fork();
            }
            int n = Math.min(continuation.length - i, 1 + random.nextInt(5));
            int first = decodeTarget(continuation, i, n, prompt.length + i, true);
            for (int j = 0; j < n; j++) {
                rows[i + j] = context.logits(first + j);
            }
            i += n;
        }
        log.append("; rebuilds ").append(context.compactions()).append(", cells ").append(context.usedCells()).append('/').append(context.contextSize());
        return rows;
    }

    String describe() {
        return log.toString();
    }

    /** Decodes {@code tokens[from, from + n)} of the target at {@code position}, maybe beside other sequences' tokens. */
    private int decodeTarget(int[] tokens, int from, int n, int position, boolean logits) {
        batch.clear();
        boolean noiseFirst = random.nextBoolean();
        if (noiseFirst) {
            addNoise();
        }
        int first = batch.addSequence(target, Arrays.copyOfRange(tokens, from, from + n), position, logits);
        if (!noiseFirst) {
            addNoise();
        }
        log.append(", ").append(n).append(batch.size() > n ? "+" + (batch.size() - n) : "");
        context.decode(batch);
        return first;
    }

    /** Grows, shrinks or frees another sequence; growth goes into the current batch. */
    private void addNoise() {
        int other = random.nextInt(context.maxSequences());
        if (other == target) {
            return;
        }
        int length = context.sequenceLength(other);
        int roll = random.nextInt(10);
        if (roll < 2 || length >= NOISE_LIMIT) {
            context.clearSequence(other);
        } else if (roll < 4 && length > 0) {
            context.truncate(other, random.nextInt(length));
        } else {
            int n = Math.min(NOISE_LIMIT - length, 1 + random.nextInt(32));
            for (int i = 0; i < n; i++) {
                batch.add(random.nextInt(context.vocabularySize()), context.sequenceLength(other) + i, other, random.nextBoolean());
            }
        }
    }

    /** Decodes a wrong draft after the target's last token and rolls it back, as a verifier does. */
    private void rolledBackDraft(int position) {
        batch.clear();
        int n = 1 + random.nextInt(5);
        for (int i = 0; i < n; i++) {
            batch.add(random.nextInt(context.vocabularySize()), position + i, target, true);
        }
        context.decode(batch);
        context.truncate(target, position);
        log.append(", draft ").append(n).append(" rolled back");
    }

    /** Continues on another sequence that shares the target's cells (a tree branch that won). */
    private void fork() {
        int branch = (target + 1 + random.nextInt(context.maxSequences() - 1)) % context.maxSequences();
        context.clearSequence(branch);
        context.copySequence(target, branch, 0, -1);
        context.clearSequence(target);
        target = branch;
        log.append(", fork to ").append(branch);
    }
}
