package io.speculum.cascade.calibration;

import io.speculum.generation.DraftTextCursor;
import io.speculum.llama.Model;
import java.util.Arrays;

/**
 * Counts the large model's verification rounds for a greedy deferred request whose small answer is the draft text,
 * by replaying the verifier's draft-text rule ({@link DraftTextCursor}, which the verifier's hint runs too: verify
 * the text's next chunk of up to k tokens while the output follows it; after a rejection, pick it up again after the
 * next place where the last 3 output tokens recur in it; otherwise a round of the large model alone) against the
 * large model's own greedy answer. With greedy verification a chunk is accepted exactly as far as it equals that
 * answer, so the count is what the verifier spends (the end-to-end test checks it against the verifier's own count).
 *
 * @param rounds   verification rounds after the prefill (a from-scratch generation needs {@code answer.length - 1})
 * @param accepted draft-text tokens accepted, each one a large-model pass saved
 */
public record DraftTextReplay(int rounds, int accepted) {

    /**
     * @param prompt    the large model's prompt tokens
     * @param answer    the large model's greedy completion tokens
     * @param stopped   the answer ended with an end-of-generation token (one more round produced it)
     * @param maxTokens the request's completion limit
     * @param hint      the small answer in the large model's tokens (after the prompt)
     * @param k         the chunk length (the policy's {@code maxDraftTokens})
     */
    public static DraftTextReplay of(int[] prompt, int[] answer, boolean stopped, int maxTokens, int[] hint, int k) {
        int total = answer.length + (stopped ? 1 : 0); // tokens the large model emits, the end token included
        if (total == 0) {
            return new DraftTextReplay(0, 0);
        }
        int committed = 1; // the prefill commits the first token
        int rounds = 0;
        int accepted = 0;
        DraftTextCursor cursor = new DraftTextCursor(hint); // the verifier's rule
        while (committed < total) {
            int[] tokens = concat(prompt, Arrays.copyOf(answer, committed));
            int from = cursor.nextStart(tokens, prompt.length);
            int room = maxTokens - committed - 1; // a round commits at most one token beyond its draft
            int n = from < 0 ? 0 : Math.min(Math.min(k, hint.length - from), room);
            int a = 0;
            if (n > 0) {
                cursor.taken(from);
                while (a < n && committed + a < answer.length && hint[from + a] == answer[committed + a]) {
                    a++;
                }
            }
            accepted += a;
            committed += a + 1;
            rounds++;
        }
        return new DraftTextReplay(rounds, accepted);
    }

    /** The draft text in the large model's tokens, as the verifier re-tokenises it (prompt and text together). */
    public static int[] hintTokens(Model model, String prompt, int[] promptTokens, String text) {
        if (text.isEmpty()) {
            return new int[0];
        }
        int[] joint = model.vocabulary().tokenize(prompt + text, true, false);
        if (joint.length <= promptTokens.length || !Arrays.equals(joint, 0, promptTokens.length, promptTokens, 0, promptTokens.length)) {
            return new int[0];
        }
        return Arrays.copyOfRange(joint, promptTokens.length, joint.length);
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
