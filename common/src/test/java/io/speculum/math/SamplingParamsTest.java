package io.speculum.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class SamplingParamsTest {

    @Test
    void factoriesGiveTheDocumentedValues() {
        assertThat(SamplingParams.greedy()).isEqualTo(new SamplingParams(0, 0, 1, 0, 0));
        assertThat(SamplingParams.ofTemperature(0.7, 42)).isEqualTo(new SamplingParams(0.7, 0, 1, 0, 42));
        assertThat(SamplingParams.llamaCppDefaults(7)).isEqualTo(new SamplingParams(0.8, 40, 0.95, 0.05, 7));
    }

    @Test
    void withersChangeOneComponent() {
        SamplingParams base = SamplingParams.llamaCppDefaults(1);
        assertThat(base.withTemperature(0.5)).isEqualTo(new SamplingParams(0.5, 40, 0.95, 0.05, 1));
        assertThat(base.withTopK(0)).isEqualTo(new SamplingParams(0.8, 0, 0.95, 0.05, 1));
        assertThat(base.withTopP(1)).isEqualTo(new SamplingParams(0.8, 40, 1, 0.05, 1));
        assertThat(base.withMinP(0)).isEqualTo(new SamplingParams(0.8, 40, 0.95, 0, 1));
        assertThat(base.withSeed(99)).isEqualTo(new SamplingParams(0.8, 40, 0.95, 0.05, 99));
    }

    @Test
    void greedyMeansTemperatureZero() {
        assertThat(SamplingParams.greedy().deterministic()).isTrue();
        assertThat(SamplingParams.llamaCppDefaults(1).withTemperature(0).deterministic()).isTrue();
        assertThat(SamplingParams.ofTemperature(1e-9, 0).deterministic()).isFalse();
        assertThat(SamplingParams.llamaCppDefaults(1).deterministic()).isFalse();
    }

    @Test
    void topKAnyIntegerIsAccepted() {
        assertThat(SamplingParams.greedy().withTopK(-5).topK()).isEqualTo(-5);
        assertThat(SamplingParams.greedy().withTopK(Integer.MAX_VALUE).topK()).isEqualTo(Integer.MAX_VALUE);
    }

    @ParameterizedTest
    @ValueSource(doubles = {-1e-9, -1, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void rejectsBadTemperature(double temperature) {
        assertThatIllegalArgumentException().isThrownBy(() -> new SamplingParams(temperature, 0, 1, 0, 0))
                .withMessageContaining("temperature");
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, -0.1, 1.0000001, 2, Double.NaN, Double.POSITIVE_INFINITY})
    void rejectsBadTopP(double topP) {
        assertThatIllegalArgumentException().isThrownBy(() -> new SamplingParams(1, 0, topP, 0, 0))
                .withMessageContaining("topP");
    }

    @ParameterizedTest
    @ValueSource(doubles = {1, -1e-9, 1.5, Double.NaN, Double.NEGATIVE_INFINITY})
    void rejectsBadMinP(double minP) {
        assertThatIllegalArgumentException().isThrownBy(() -> new SamplingParams(1, 0, 1, minP, 0))
                .withMessageContaining("minP");
    }

    @Test
    void boundaryValuesAreAccepted() {
        SamplingParams p = new SamplingParams(0, 0, Double.MIN_VALUE, 0.999, Long.MIN_VALUE);
        assertThat(p.topP()).isEqualTo(Double.MIN_VALUE);
        assertThat(new SamplingParams(1e6, 1, 1, 0, -1).temperature()).isEqualTo(1e6);
    }

    @Test
    void jacksonRoundTripUsesExactlyTheComponents() {
        JsonMapper mapper = JsonMapper.builder().build();
        for (SamplingParams p : List.of(SamplingParams.greedy(), SamplingParams.llamaCppDefaults(-3),
                new SamplingParams(0.25, 7, 0.5, 0.125, Long.MAX_VALUE))) {
            String json = mapper.writeValueAsString(p);
            JsonNode tree = mapper.readTree(json);
            List<String> names = new ArrayList<>(tree.propertyNames());
            assertThat(names).containsExactly("temperature", "topK", "topP", "minP", "seed");
            assertThat(mapper.readValue(json, SamplingParams.class)).isEqualTo(p);
        }
    }

    @Test
    void jacksonValidatesOnTheWayIn() {
        JsonMapper mapper = JsonMapper.builder().build();
        String json = "{\"temperature\":-1,\"topK\":0,\"topP\":1,\"minP\":0,\"seed\":0}";
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> mapper.readValue(json, SamplingParams.class))
                .hasRootCauseInstanceOf(IllegalArgumentException.class);
    }
}
