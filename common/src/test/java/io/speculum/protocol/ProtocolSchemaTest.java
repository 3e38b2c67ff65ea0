package io.speculum.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.victools.jsonschema.generator.OptionPreset;
import com.github.victools.jsonschema.generator.SchemaGenerator;
import com.github.victools.jsonschema.generator.SchemaGeneratorConfigBuilder;
import com.github.victools.jsonschema.generator.SchemaVersion;
import com.github.victools.jsonschema.module.jackson.JacksonModule;
import io.speculum.math.SamplingParams;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON Schemas in {@code docs/schema} are generated from the protocol records; this test fails when they drift.
 * Regenerate with {@code ./mvnw -pl common test -Dtest=ProtocolSchemaTest -Dspeculum.schema.write=true}.
 */
class ProtocolSchemaTest {

    private static final Path DIR = Path.of("..", "docs", "schema");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final SchemaGenerator GENERATOR = new SchemaGenerator(
            new SchemaGeneratorConfigBuilder(SchemaVersion.DRAFT_2020_12, OptionPreset.PLAIN_JSON)
                    .with(new JacksonModule())
                    .with(builder -> builder.forFields().withDefaultResolver(ProtocolSchemaTest::documentedDefault))
                    .build());

    /** A field's {@code @JsonProperty(defaultValue)}, what the codec reads when it is absent, as a JSON value. */
    private static Object documentedDefault(com.github.victools.jsonschema.generator.FieldScope field) {
        com.fasterxml.jackson.annotation.JsonProperty property =
                field.getAnnotationConsideringFieldAndGetter(com.fasterxml.jackson.annotation.JsonProperty.class);
        if (property == null || property.defaultValue().isEmpty()) {
            return null;
        }
        try {
            return JSON.readTree(property.defaultValue());
        } catch (tools.jackson.core.JacksonException notJson) {
            return property.defaultValue(); // an enum constant
        }
    }

    static Class<?> type(String name) {
        return switch (name) {
            case "generate-topic-record" -> GenerateTopicRecord.class;
            case "draft-topic-record" -> DraftTopicRecord.class;
            case "draft-proposal" -> DraftProposal.class;
            case "generation-event" -> GenerationEvent.class;
            case "cascade-topic-record" -> CascadeTopicRecord.class;
            case "cascade-request" -> CascadeRequest.class;
            case "cascade-reply" -> CascadeReply.class;
            case "detect-request" -> io.speculum.protocol.detection.DetectRequest.class;
            case "detect-reply" -> io.speculum.protocol.detection.DetectReply.class;
            case "stream-detection" -> io.speculum.protocol.detection.StreamDetection.class;
            default -> throw new IllegalArgumentException(name);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"generate-topic-record", "draft-topic-record", "draft-proposal", "generation-event", "cascade-topic-record", "cascade-request",
        "cascade-reply", "detect-request", "detect-reply", "stream-detection"})
    void theDocumentedSchemaIsTheOneTheRecordsDefine(String name) throws IOException {
        String generated = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(GENERATOR.generateSchema(type(name))) + "\n";
        Path file = DIR.resolve(name + ".schema.json");
        if (Boolean.getBoolean("speculum.schema.write")) {
            Files.createDirectories(DIR);
            Files.writeString(file, generated);
        }
        assertThat(file).as("%s is missing; regenerate with -Dspeculum.schema.write=true", file).exists();
        assertThat(Files.readString(file)).as("%s drifted from the records; regenerate with "
                + "./mvnw -pl common test -Dtest=ProtocolSchemaTest -Dspeculum.schema.write=true", file).isEqualTo(generated);
    }

    @Test
    void aRealRequestUsesOnlyPropertiesTheSchemaNames() throws IOException {
        GenerateRequest request = new GenerateRequest("r1", "replies", "stories260K", "Once upon a time", null, 32,
                SamplingParams.greedy(), List.of("."), SpeculationPolicy.fixed(4), 1L, 2L);
        JsonNode message = JSON.readTree(ProtocolCodec.write(request));
        JsonNode schema = JSON.readTree(Files.readString(DIR.resolve("generate-topic-record.schema.json")));
        Set<String> documented = new HashSet<>();
        schema.findValues("properties").forEach(properties -> documented.addAll(properties.propertyNames()));
        assertThat(message.propertyNames()).isNotEmpty();
        assertThat(documented).containsAll(message.propertyNames());
    }
}
