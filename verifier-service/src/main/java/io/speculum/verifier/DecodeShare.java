package io.speculum.verifier;

/**
 * A round's decode as one session sees it: the sessions that would share it (every generation the verifier runs) and
 * the cells they have cached. The automatic policy assumes the others draft as it does (they face the same trade;
 * sessions that draft differently also drift apart and stop sharing decodes) and maximises the tokens the whole
 * decode commits per millisecond: with s sessions a k-token draft costs the session a 1/s share of a decode of
 * s·(k + 1) tokens. Alone that is its own decode; beside fifteen sessions on a CPU, where a decode's cost grows about
 * linearly with its tokens, no draft pays unless nearly every drafted token is accepted.
 */
record DecodeShare(int sessions, int cells, SharedDecodeCost cost) {

    DecodeShare {
        sessions = Math.max(1, sessions);
    }

    /** A session decoding alone, priced by the start-up curve. */
    static DecodeShare alone(CostCurve curve) {
        return new DecodeShare(1, 0, new SharedDecodeCost(curve));
    }

    /** The session's share, in milliseconds, of a decode in which every session puts {@code ownTokens} tokens. */
    double millis(int ownTokens) {
        return cost.millis(sessions * ownTokens, cells) / sessions;
    }
}
