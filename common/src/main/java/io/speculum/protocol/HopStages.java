package io.speculum.protocol;

/**
 * Where one drafter hop went, in milliseconds (from {@link DraftTiming}'s stamps).
 *
 * @param toDrafter    the draft request's way from the verifier to the drafter's listener (serialisation, producer,
 *                     broker, consumer)
 * @param drafterWait  the drafter's wait before drafting (its model busy, a batch forming)
 * @param drafting     the drafter's own drafting
 * @param drafterSend  from the draft to the proposal handed to the producer
 * @param toVerifier   the proposal's way back to the verifier's listener
 */
public record HopStages(double toDrafter, double drafterWait, double drafting, double drafterSend, double toVerifier) {

    /** The whole hop as the stamps tell it. */
    public double total() {
        return toDrafter + drafterWait + drafting + drafterSend + toVerifier;
    }

    /** What the messaging costs: the hop less everything inside the drafter process. */
    public double transport() {
        return toDrafter + toVerifier;
    }

    /** Everything inside the drafter process, from its listener to its producer. */
    public double inDrafter() {
        return drafterWait + drafting + drafterSend;
    }
}
