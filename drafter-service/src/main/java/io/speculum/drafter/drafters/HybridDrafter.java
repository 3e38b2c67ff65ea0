package io.speculum.drafter.drafters;

import io.speculum.math.AcceptanceEstimate;
import io.speculum.protocol.DraftRequest;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Two training-free sources, per request the one that has been accepted more: context matches (n-gram prompt
 * lookup) and statistical guesses (the token-recycling table). As Goose observed, context matches are far more
 * reliable when they exist, so they may draft deep (up to k) while recycled guesses draft at most
 * {@link #STATISTICAL_DEPTH} tokens (in a tree they would go wide instead).
 *
 * <p>Acceptance is observed here, without help from the verifier: the next request's committed tokens show how much
 * of each source's last proposal the target agreed with, the unused one's included (its counterfactual). A source
 * wins when its proposal promises more expected accepted tokens (α + α² + … over its length); with one source
 * silent the other drafts. Per-request state is small and bounded (least recently used requests forgotten first).
 *
 * <p>Asked for a tree, it keeps that chain as the first branch and adds the table's other candidates for the first
 * position as shallow branches beside it: reliable tokens deep, unreliable ones wide.
 */
public final class HybridDrafter implements Drafter {

    public static final String NAME = "hybrid";
    /** The longest chain of statistical guesses: each one is right less often than a context match. */
    public static final int STATISTICAL_DEPTH = 3;
    private static final int MAX_NGRAM = 4;

    /** Which source a request's last draft came from, with what each proposed and how often each was right. */
    private static final class Track {
        int base = -1;
        int[] context = new int[0];
        int[] statistical = new int[0];
        final AcceptanceEstimate contextAcceptance = AcceptanceEstimate.standard();
        final AcceptanceEstimate statisticalAcceptance = AcceptanceEstimate.standard();
    }

    private final String name;
    private final String vocabulary;
    private final SuccessorTable table;
    private final Map<String, Track> tracks;

    public HybridDrafter(String vocabulary, SuccessorTable table, int maxRequests) {
        this(NAME, vocabulary, table, maxRequests);
    }

    public HybridDrafter(String name, String vocabulary, SuccessorTable table, int maxRequests) {
        this.name = name;
        this.vocabulary = vocabulary;
        this.table = table;
        this.tracks = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Track> eldest) {
                return size() > maxRequests;
            }
        };
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String vocabulary() {
        return vocabulary;
    }

    @Override
    public CompletableFuture<Draft> propose(DraftRequest request) {
        table.learn(request.successors());
        int[] tokens = request.state().tokens();
        int k = request.maxDraftTokens();
        int[] context = NGramDrafter.lookup(tokens, k, MAX_NGRAM);
        int[] statistical = table.chain(tokens[tokens.length - 1], Math.min(k, STATISTICAL_DEPTH));
        int[] chosen;
        synchronized (tracks) {
            Track track = tracks.computeIfAbsent(request.state().requestId(), id -> new Track());
            if (track.base >= 0 && tokens.length > track.base) {
                observe(track.contextAcceptance, track.context, tokens, track.base);
                observe(track.statisticalAcceptance, track.statistical, tokens, track.base);
            }
            track.base = tokens.length;
            track.context = context;
            track.statistical = statistical;
            double contextGain = AcceptanceEstimate.expectedAccepted(track.contextAcceptance.alpha(), context.length);
            double statisticalGain = AcceptanceEstimate.expectedAccepted(track.statisticalAcceptance.alpha(), statistical.length);
            chosen = contextGain >= statisticalGain ? context : statistical;
        }
        if (request.maxBranches() > 1 && k > 0) {
            return CompletableFuture.completedFuture(widen(chosen, tokens[tokens.length - 1], k, request.maxBranches()));
        }
        return CompletableFuture.completedFuture(new Draft(chosen, List.of()));
    }

    /** The chain as the first branch, and up to {@code branches - 1} other first-position candidates, shallow. */
    private Draft widen(int[] chain, int last, int k, int branches) {
        List<Integer> tokens = new java.util.ArrayList<>();
        List<Integer> parents = new java.util.ArrayList<>();
        for (int i = 0; i < chain.length; i++) {
            tokens.add(chain[i]);
            parents.add(i - 1);
        }
        int added = chain.length > 0 ? 1 : 0;
        for (int candidate : table.successors(last)) {
            if (added >= branches) {
                break;
            }
            if (chain.length > 0 && candidate == chain[0]) {
                continue; // deterministic siblings must differ
            }
            int parent = -1;
            for (int t : append(candidate, table.chain(candidate, Math.min(k, STATISTICAL_DEPTH) - 1))) {
                tokens.add(t);
                parents.add(parent);
                parent = tokens.size() - 1;
            }
            added++;
        }
        return new Draft(tokens.stream().mapToInt(Integer::intValue).toArray(), List.of(),
                parents.stream().mapToInt(Integer::intValue).toArray());
    }

    private static int[] append(int first, int[] rest) {
        int[] out = new int[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }

    /** Estimated acceptance of the context source and of the statistical one for a request (tests, diagnostics). */
    double[] acceptance(String requestId) {
        synchronized (tracks) {
            Track track = tracks.get(requestId);
            return track == null ? null : new double[] {track.contextAcceptance.alpha(), track.statisticalAcceptance.alpha()};
        }
    }

    /**
     * How much of {@code proposal} (made when the context had {@code base} tokens) the committed tokens agree with.
     * A proposal is judged only as far as tokens were committed after it: an agreeing but not yet committed tail is
     * no evidence either way.
     */
    private static void observe(AcceptanceEstimate estimate, int[] proposal, int[] tokens, int base) {
        int committed = tokens.length - base;
        int judged = Math.min(proposal.length, committed);
        int agreed = Arrays.mismatch(proposal, 0, judged, tokens, base, base + judged);
        agreed = agreed < 0 ? judged : agreed;
        // the round committed 'committed' tokens: a draft prefix it agreed with, then one the target chose itself
        estimate.observe(agreed < judged ? agreed + 1 : judged, agreed);
    }

    @Override
    public CompletableFuture<Void> release(String requestId) {
        synchronized (tracks) {
            tracks.remove(requestId);
        }
        return CompletableFuture.completedFuture(null);
    }

    int trackedRequests() {
        synchronized (tracks) {
            return tracks.size();
        }
    }
}
