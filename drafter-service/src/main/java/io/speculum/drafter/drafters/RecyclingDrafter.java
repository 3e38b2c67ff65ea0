package io.speculum.drafter.drafters;

import io.speculum.protocol.DraftRequest;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Token recycling ("Turning Trash into Treasure"): the verifier's logits of every position it decoded, rejected
 * drafts included, name the tokens its model would have liked next; they arrive with the next draft request, go
 * into a {@link SuccessorTable} shared by all requests, and drafts follow the table's best candidates from the last
 * committed token. No model runs here; drafts are point masses.
 */
public final class RecyclingDrafter implements Drafter {

    public static final String NAME = "recycling";

    private final String name;
    private final String vocabulary;
    private final SuccessorTable table;

    public RecyclingDrafter(String vocabulary, SuccessorTable table) {
        this(NAME, vocabulary, table);
    }

    public RecyclingDrafter(String name, String vocabulary, SuccessorTable table) {
        this.name = name;
        this.vocabulary = vocabulary;
        this.table = table;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String vocabulary() {
        return vocabulary;
    }

    public SuccessorTable table() {
        return table;
    }

    @Override
    public CompletableFuture<Draft> propose(DraftRequest request) {
        table.learn(request.successors());
        int[] tokens = request.state().tokens();
        int last = tokens[tokens.length - 1];
        if (request.maxBranches() > 1) {
            return CompletableFuture.completedFuture(tree(last, request.maxDraftTokens(), request.maxBranches()));
        }
        return CompletableFuture.completedFuture(new Draft(table.chain(last, request.maxDraftTokens()), List.of()));
    }

    /**
     * A token tree, wide where the table knows several candidates: the first position gets up to {@code branches}
     * of the last token's candidates, and each of them continues with its own best chain, at most {@code depth}
     * tokens deep in all. The candidates of one position are distinct (a table row is), as deterministic siblings
     * must be.
     */
    Draft tree(int last, int depth, int branches) {
        if (depth <= 0) {
            return Draft.empty();
        }
        int[] first = table.successors(last);
        List<Integer> tokens = new java.util.ArrayList<>();
        List<Integer> parents = new java.util.ArrayList<>();
        for (int b = 0; b < Math.min(branches, first.length); b++) {
            int node = tokens.size();
            tokens.add(first[b]);
            parents.add(-1);
            int parent = node;
            for (int t : table.chain(first[b], depth - 1)) {
                tokens.add(t);
                parents.add(parent);
                parent = tokens.size() - 1;
            }
        }
        return new Draft(tokens.stream().mapToInt(Integer::intValue).toArray(), List.of(),
                parents.stream().mapToInt(Integer::intValue).toArray());
    }
}
