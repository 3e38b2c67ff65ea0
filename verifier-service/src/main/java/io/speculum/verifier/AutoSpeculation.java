package io.speculum.verifier;

import io.speculum.llama.SharedDecode;
import io.speculum.math.AcceptanceEstimate;
import io.speculum.protocol.SpeculationPolicy;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * One generation's speculation control: honours the request's policy (off, a fixed k, or automatic up to its
 * k) and, when automatic, chooses each round's k from what it has measured: the acceptance of the drafter it asks
 * (per drafter name), how often that drafter proposes anything, how long a draft takes to arrive, and the
 * verifier's {@link CostCurve}, and, when other sessions share its decodes, its share of a decode in which they all
 * draft alike ({@link DecodeShare}). When no k pays it decodes alone for a while, then probes with a short draft so a
 * drafter that has become useful wins its place back; each failed probe doubles the pause. Guarded by the
 * session's monitor.
 */
final class AutoSpeculation {

    static final int PROBE_LENGTH = 2;
    static final int FIRST_PAUSE = 4;
    static final int MAX_PAUSE = 64;
    private static final double FILL_DECAY = 0.9;

    private final SharedDecodeCost cost;
    private final DrafterPriors priors;
    private final Map<String, AcceptanceEstimate> acceptance = new HashMap<>();
    private final Map<String, Double> fill = new HashMap<>();
    private final DraftHopEstimate hop = new DraftHopEstimate();
    private int pauseLeft;
    private int nextPause = FIRST_PAUSE;
    private boolean probing;
    private int lastChoice;
    private long drafts;
    /** Verified draft tokens per unit of k: 1 for chains, more for token trees (decaying average). */
    private double width = 1;
    /** Generations the verifier decodes now: the sessions a decode would hold if all drafted alike. */
    private final IntSupplier activeSessions;
    /** Cached cells at this session's last decode. */
    private int cells;

    /**
     * A generation's control that starts from what {@code priors} knows of each drafter, and teaches it; {@code cost}
     * is the verifier's, shared by its sessions.
     */
    AutoSpeculation(SharedDecodeCost cost, DrafterPriors priors, IntSupplier activeSessions) {
        this.cost = cost;
        this.priors = priors;
        this.activeSessions = activeSessions;
    }

    /** A control alone on its verifier that starts from {@code priors}, priced by the start-up curve until its decodes teach it. */
    AutoSpeculation(CostCurve cost, DrafterPriors priors) {
        this(new SharedDecodeCost(cost), priors, () -> 1);
    }

    /** A control that learns alone. */
    AutoSpeculation(CostCurve cost) {
        this(cost, new DrafterPriors());
    }

    /**
     * The draft length for the next round; {@code room} is what the token budget and context allow. Call once per
     * round.
     */
    int choose(SpeculationPolicy policy, int room) {
        int max = Math.max(0, Math.min(policy.maxDraftTokens(), room));
        lastChoice = switch (policy.mode()) {
            case OFF -> 0;
            case FIXED -> max;
            case AUTO -> auto(key(policy.drafter()), max);
        };
        return lastChoice;
    }

    private int auto(String drafter, int max) {
        if (max == 0) {
            return 0;
        }
        if (pauseLeft > 0) {
            pauseLeft--;
            probing = pauseLeft == 0;
            return 0;
        }
        if (probing) {
            probing = false;
            return Math.min(PROBE_LENGTH, max);
        }
        int sessions = activeSessions.getAsInt();
        int k = DraftLengthChooser.best(alpha(drafter), fill(drafter), width, new DecodeShare(sessions, cells, cost), hop::millis, max);
        if (k == 0 && sessions > 1
                && DraftLengthChooser.best(alpha(drafter), fill(drafter), width, new DecodeShare(1, cells, cost), hop::millis, max) > 0) {
            // a good drafter held back by the load: decide again next round, no pause and no probe (a probe's wait
            // for its draft would also take the session out of the decode the others share)
            return 0;
        }
        if (k == 0) {
            pauseLeft = nextPause;
            nextPause = Math.min(MAX_PAUSE, nextPause * 2);
        } else {
            nextPause = FIRST_PAUSE;
        }
        return k;
    }

    /** A verified chain: {@code requested} asked for, {@code drafted} proposed, {@code accepted} of them accepted. */
    void observe(String drafter, int requested, int drafted, int accepted, double hopMillis) {
        observe(drafter, requested, drafted, drafted, accepted, hopMillis);
    }

    /**
     * A verified draft of {@code depth} positions and {@code verified} tokens (more than its depth for a tree), of
     * which a path of {@code accepted} was accepted.
     */
    void observe(String drafter, int requested, int depth, int verified, int accepted, double hopMillis) {
        if (requested <= 0) {
            return;
        }
        int drafted = depth;
        width = width * FILL_DECAY + Math.max(1.0, (double) verified / requested) * (1 - FILL_DECAY);
        String key = key(drafter);
        estimate(key).observe(drafted, accepted);
        priors.observe(key, drafted, accepted);
        fill.merge(key, drafted > 0 ? 1.0 : 0.0, (old, now) -> old * FILL_DECAY + now * (1 - FILL_DECAY));
        // a generation's first draft includes the drafter's prefill of the whole prompt: a one-off, not a draft's cost
        if (drafts++ > 0) {
            hop.observe(requested, hopMillis);
        }
    }

    /** The decode of a verification, drafted or not: what the next choice expects of the decode it will share. */
    void observeDecode(SharedDecode decode) {
        if (!decode.known()) {
            return;
        }
        cost.observe(decode);
        cells = decode.cells();
    }

    /** The estimated acceptance rate of a drafter for this generation. */
    double alpha(String drafter) {
        return estimate(key(drafter)).alpha();
    }

    /** This generation's estimate for a drafter: at first what the verifier knows of it, worth two observations. */
    private AcceptanceEstimate estimate(String key) {
        return acceptance.computeIfAbsent(key, d -> new AcceptanceEstimate(priors.alpha(d), 2, 0.9));
    }

    private double fill(String drafter) {
        return fill.getOrDefault(key(drafter), 1.0);
    }

    /** The k chosen last. */
    int lastChoice() {
        return lastChoice;
    }

    /** Verified draft tokens per unit of k, as learnt (1 for chains). */
    double width() {
        return width;
    }

    private static String key(String drafter) {
        return drafter == null ? "" : drafter;
    }
}
