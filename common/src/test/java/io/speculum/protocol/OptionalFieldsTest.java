package io.speculum.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.speculum.math.SamplingParams;
import io.speculum.protocol.detection.DetectRequest;
import java.lang.reflect.RecordComponent;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** Every optional field is optional on the wire: an absent one reads as the default its record documents. */
class OptionalFieldsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @ParameterizedTest
    @ValueSource(classes = {SamplingParams.class, SpeculationPolicy.class, GenerateRequest.class, CascadeRequest.class,
        DetectRequest.class})
    void anAbsentFieldReadsAsItsDocumentedDefault(Class<?> type) throws Exception {
        // a generation request is only read as one of the topic's records, with its type
        Object read = type == GenerateRequest.class ? ProtocolCodec.read("{\"type\":\"generate\"}", GenerateTopicRecord.class)
                : ProtocolCodec.read("{}", type);
        int documented = 0;
        for (RecordComponent component : type.getRecordComponents()) {
            // the annotation reaches the record's field (JsonProperty does not target record components)
            JsonProperty property = type.getDeclaredField(component.getName()).getAnnotation(JsonProperty.class);
            if (property == null || property.defaultValue().isEmpty()) {
                continue;
            }
            documented++;
            Object value = component.getAccessor().invoke(read);
            Object expected = JSON.convertValue(documentedDefault(property.defaultValue()), component.getType());
            assertThat(value).as("%s.%s", type.getSimpleName(), component.getName()).isEqualTo(expected);
        }
        assertThat(documented).as("documented defaults of %s", type.getSimpleName()).isPositive();
    }

    private static tools.jackson.databind.JsonNode documentedDefault(String text) {
        try {
            return JSON.readTree(text);
        } catch (tools.jackson.core.JacksonException notJson) {
            return JSON.valueToTree(text);
        }
    }

    @Test
    void theSmallestGenerationRequestReadsWithDefaults() {
        GenerateRequest request = (GenerateRequest) ProtocolCodec.read("""
                {"type":"generate","requestId":"r1","replyTopic":"my-replies","prompt":"Once","maxTokens":4}""",
                GenerateTopicRecord.class);
        assertThat(request.createdAtMillis()).isZero();
        assertThat(request.deadlineAtMillis()).isZero();
        assertThat(request.sampling()).isEqualTo(SamplingParams.greedy());
        assertThat(request.speculation()).isEqualTo(SpeculationPolicy.defaults());
        assertThat(request.stop()).isEmpty();
        // a partial sampling object keeps the defaults of what it leaves out
        GenerateRequest sampled = (GenerateRequest) ProtocolCodec.read("""
                {"type":"generate","requestId":"r1","prompt":"Once","maxTokens":4,"sampling":{"temperature":0.7,"seed":3},
                 "speculation":{"mode":"FIXED"},"deadlineAtMillis":null}""", GenerateTopicRecord.class);
        assertThat(sampled.sampling()).isEqualTo(new SamplingParams(0.7, 0, 1, 0, 3));
        assertThat(sampled.speculation()).isEqualTo(SpeculationPolicy.fixed(8));
        assertThat(sampled.deadlineAtMillis()).isZero();
    }

    @Test
    void aGivenValueIsStillChecked() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ProtocolCodec.read("""
                {"temperature":0.7,"topP":0}""", SamplingParams.class))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("topP");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ProtocolCodec.read("""
                {"maxDraftTokens":99}""", SpeculationPolicy.class))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("maxDraftTokens");
    }
}
