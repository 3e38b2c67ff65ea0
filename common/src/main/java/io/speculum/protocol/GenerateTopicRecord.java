package io.speculum.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** What the generation topic carries: a new request, or the cancellation of one (same key, so ordered after it). */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = GenerateRequest.class, name = "generate"),
    @JsonSubTypes.Type(value = CancelRequest.class, name = "cancel")
})
public sealed interface GenerateTopicRecord permits GenerateRequest, CancelRequest {
    String requestId();
}
