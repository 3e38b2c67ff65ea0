package io.speculum.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * What the cascade topic carries: a new request, or the cancellation of one (same key, so ordered after it). A record
 * without {@code type} is a request: clients written before cancellation existed keep working.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type", defaultImpl = CascadeRequest.class)
@JsonSubTypes({
    @JsonSubTypes.Type(value = CascadeRequest.class, name = "cascade"),
    @JsonSubTypes.Type(value = CancelRequest.class, name = "cancel")
})
public sealed interface CascadeTopicRecord permits CascadeRequest, CancelRequest {
    String requestId();
}
