package io.speculum.drafter;

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
        return CompletableFuture.completedFuture(new Draft(table.chain(tokens[tokens.length - 1], request.maxDraftTokens()), List.of()));
    }
}
