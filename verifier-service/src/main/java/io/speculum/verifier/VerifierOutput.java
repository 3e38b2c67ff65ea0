package io.speculum.verifier;

import io.speculum.protocol.DraftRelease;
import io.speculum.protocol.DraftRequest;
import io.speculum.protocol.GenerationEvent;

/** Where a verifier's messages go: Kafka in the service, a recording in tests. Implementations must not block long. */
public interface VerifierOutput {

    /** An event for the client, on the reply topic the request named. */
    void reply(String replyTopic, GenerationEvent event);

    /** Asks a drafter for the next round's draft. */
    void requestDraft(DraftRequest request);

    /** Tells drafters a generation that asked them for drafts has ended. */
    void releaseDrafts(DraftRelease release);
}
