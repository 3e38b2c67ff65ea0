package io.speculum.verifier;

import io.speculum.llama.InferenceEngine;
import io.speculum.math.TreeVerification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The KV sequences a slot decodes {@link TokenTree} branches in, and their bookkeeping: branch 0 is the slot's own
 * sequence, the other branches of every slot come after the slots' own. After a tree round the accepted path is kept
 * in the slot's own sequence and the other branches are emptied; an ended session's sequences are all emptied. Each
 * operation is queued on the engine, so it runs before any later decode of the slot (the engine runs work in order).
 */
final class BranchSequences {

    private static final Logger LOG = LoggerFactory.getLogger(BranchSequences.class);

    private final InferenceEngine engine;
    private final int slots;
    private final int branches;

    /** @param branches most branches of a tree (1: chains only, one sequence per slot) */
    BranchSequences(InferenceEngine engine, int slots, int branches) {
        this.engine = engine;
        this.slots = slots;
        this.branches = branches;
    }

    /** The KV sequence of tree branch {@code branch} of the session in {@code slot}: branch 0 is the session's own. */
    int sequence(int slot, int branch) {
        return branch == 0 ? slot : slots + slot * (branches - 1) + branch - 1;
    }

    /** The sequences of a tree's {@code leaves} branches in {@code slot}, branch 0 (the slot's own) first. */
    int[] of(int slot, int leaves) {
        int[] sequences = new int[leaves];
        for (int b = 0; b < sequences.length; b++) {
            sequences[b] = sequence(slot, b);
        }
        return sequences;
    }

    /**
     * Makes the session's own sequence hold the accepted path (when it ended on another branch) and empties the other
     * branches' sequences.
     *
     * @param startPosition where the tree's root (the last committed token) was decoded
     * @param sequences     the tree's sequences, as {@link #of} gave them
     */
    void keepAccepted(String requestId, TokenTree tree, TreeVerification.Outcome outcome, int startPosition, int[] sequences) {
        int lastNode = outcome.accepted() == 0 ? TreeVerification.ROOT : outcome.path()[outcome.accepted() - 1];
        int branch = tree.firstBranchThrough(lastNode);
        int main = sequences[0];
        int from = startPosition + 1;
        int to = from + outcome.accepted();
        engine.submit(context -> {
            if (branch != 0) {
                context.truncate(main, from);
                context.copySequence(sequences[branch], main, from, to);
            }
            for (int b = 1; b < sequences.length; b++) {
                context.clearSequence(sequences[b]);
            }
            return null;
        }).exceptionally(failure -> {
            LOG.warn("Keeping the accepted tree branch for {} failed", requestId, failure);
            return null;
        });
    }

    /**
     * Empties an ended session's sequences (before the next session on its slot starts). Every request prefills from
     * position 0, so the cells are of no further use, and every decode attends over all cells up to the highest in
     * use: left behind, they slowed every other session's decodes (sessions rotate through the slots, so 16 sessions'
     * stale cells piled up and a one-request round took twice the decode it needs).
     */
    void free(String requestId, int slot) {
        engine.submit(context -> {
            for (int branch = 0; branch < branches; branch++) {
                context.clearSequence(sequence(slot, branch));
            }
            return null;
        }).exceptionally(failure -> {
            LOG.debug("Freeing the cells of {} failed", requestId, failure);
            return null;
        });
    }
}
