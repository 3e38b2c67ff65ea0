package io.speculum.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The wire format: UTF-8 JSON, one message per record. Unknown fields are ignored (newer producers, older
 * consumers); nulls are left out. An absent (or null) field takes its default: the one its record documents with
 * {@code @JsonProperty(defaultValue)} (also in the JSON Schemas), else null, 0 or false: Jackson 3 would refuse a
 * missing primitive, and a client that leaves out an optional {@code deadlineAtMillis} must still be served. Services serialise with this codec and plain byte-array Kafka serdes, so the format
 * is defined here and nowhere else.
 */
public final class ProtocolCodec {

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .changeDefaultPropertyInclusion(v -> v.withValueInclusion(JsonInclude.Include.NON_NULL))
            .build();

    private ProtocolCodec() {
    }

    public static byte[] write(Object message) {
        try {
            return MAPPER.writeValueAsBytes(message);
        } catch (JacksonException e) {
            throw new ProtocolException("Cannot serialise " + message.getClass().getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }

    public static String writeString(Object message) {
        try {
            return MAPPER.writeValueAsString(message);
        } catch (JacksonException e) {
            throw new ProtocolException("Cannot serialise " + message.getClass().getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }

    /** Reads a message; a malformed one raises {@link ProtocolException} (route it to the dead-letter topic). */
    public static <T> T read(byte[] json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JacksonException | IllegalArgumentException e) {
            throw new ProtocolException("Malformed " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    public static <T> T read(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JacksonException | IllegalArgumentException e) {
            throw new ProtocolException("Malformed " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }
}
