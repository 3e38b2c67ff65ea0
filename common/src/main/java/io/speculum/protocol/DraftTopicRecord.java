package io.speculum.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * What the draft topic carries: a request for the next round's draft, or the release of a finished generation's
 * drafter state (same key, so ordered after its last draft request).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = DraftRequest.class, name = "draft"),
    @JsonSubTypes.Type(value = DraftRelease.class, name = "release")
})
public sealed interface DraftTopicRecord permits DraftRequest, DraftRelease {
    String requestId();
}
