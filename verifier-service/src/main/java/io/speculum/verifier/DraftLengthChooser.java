package io.speculum.verifier;

import io.speculum.math.AcceptanceEstimate;
import java.util.function.IntToDoubleFunction;

/**
 * The draft length k that maximises expected tokens per second of the decode a round shares. A round with a k-token
 * draft commits on average 1 + fill·(α + α² + … + α^k) tokens (fill: how often the drafter proposes anything at all)
 * and adds k + 1 tokens to its decode (1 + width·k for token trees, width being their nodes per unit of depth), plus
 * the draft's round trip; a round without one commits one token for one token of decode. Beside other sessions the
 * decode's cost is the session's share of one in which all of them draft alike ({@link DecodeShare}). k = 0 wins
 * whenever no draft length beats decoding alone.
 */
final class DraftLengthChooser {

    private DraftLengthChooser() {
    }

    /** The best k in [0, maxK] for chains of a session decoding alone. */
    static int best(double alpha, double fill, CostCurve cost, IntToDoubleFunction hopMillis, int maxK) {
        return best(alpha, fill, 1, DecodeShare.alone(cost), hopMillis, maxK);
    }

    /** The best k in [0, maxK] for drafts of {@code width} verified tokens per unit of k (1: chains). */
    static int best(double alpha, double fill, double width, DecodeShare share, IntToDoubleFunction hopMillis, int maxK) {
        int best = 0;
        double bestRate = tokensPerMilli(alpha, fill, width, share, hopMillis, 0);
        for (int k = 1; k <= maxK; k++) {
            double rate = tokensPerMilli(alpha, fill, width, share, hopMillis, k);
            if (rate > bestRate) {
                best = k;
                bestRate = rate;
            }
        }
        return best;
    }

    static double tokensPerMilli(double alpha, double fill, CostCurve cost, IntToDoubleFunction hopMillis, int k) {
        return tokensPerMilli(alpha, fill, 1, DecodeShare.alone(cost), hopMillis, k);
    }

    static double tokensPerMilli(double alpha, double fill, double width, DecodeShare share, IntToDoubleFunction hopMillis, int k) {
        if (k == 0) {
            return 1 / share.millis(1);
        }
        int decoded = 1 + (int) Math.ceil(Math.max(1, width) * k - 1e-9);
        return (1 + fill * AcceptanceEstimate.expectedAccepted(alpha, k))
                / (share.millis(decoded) + hopMillis.applyAsDouble(k));
    }
}
