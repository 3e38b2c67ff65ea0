package io.speculum.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The listeners the drift checks read from the services' sources: constants, placeholders, SpEL, conditions. */
class KafkaConsumerTest {

    @Test
    void theGatewayReadsOnlyItsOwnPerInstanceReplyTopic() {
        ServiceConfig gateway = ServiceConfig.named("gateway");
        assertThat(gateway.consumers()).singleElement().satisfies(c -> {
            assertThat(c.perInstanceGroup()).isTrue();
            assertThat(c.perInstanceTopic()).isTrue();
        });
        assertThat(gateway.listeners()).isEmpty();
        assertThat(gateway.fixedTopics()).isEmpty();
        assertThat(gateway.managementPort()).isEqualTo(8090);
    }

    @Test
    void theCascadeRouterSharesItsRequestsAndReadsItsReplyTopicPerInstance() {
        ServiceConfig router = ServiceConfig.named("cascade-router");
        assertThat(router.listeners()).containsExactly(Map.entry("speculum-cascade-router", java.util.Set.of("llm.cascade")));
        assertThat(router.fixedTopics()).containsExactlyInAnyOrder("llm.cascade", "llm.cascade-router-replies");
    }

    @Test
    void theDetectorsStreamListenerIsOffAsShipped() {
        assertThat(ServiceConfig.named("detector-service").listeners()).containsExactly(Map.entry("speculum-detect", java.util.Set.of("llm.detect")));
        assertThat(ServiceConfig.named("drafter-service").listeners()).containsOnlyKeys("speculum-drafter", "speculum-small-generate");
    }

    @Test
    void aDrafterDeploymentCanSwitchEitherOfItsListenersOff() {
        ServiceConfig drafter = ServiceConfig.named("drafter-service");
        assertThat(drafter.listeners()).containsOnlyKeys("speculum-drafter", "speculum-small-generate");
        assertThat(drafter.environment()).contains("SPECULUM_DRAFTER_DRAFTS_ENABLED", "SPECULUM_DRAFTER_GENERATION_ENABLED");
        assertThat(drafter.configuredBy(Map.of("SPECULUM_DRAFTER_DRAFTS_ENABLED", "false")).listeners())
                .containsExactly(Map.entry("speculum-small-generate", java.util.Set.of("llm.small-generate")));
        assertThat(drafter.configuredBy(Map.of("SPECULUM_DRAFTER_GENERATION_ENABLED", "false")).listeners())
                .containsExactly(Map.entry("speculum-drafter", java.util.Set.of("llm.draft")));
    }

    @Test
    void aConditionalListenerTurnedOnIsReadWithItsConfiguredTopic() {
        String source = """
                @ConditionalOnProperty(name = "x.stream.enabled")
                class Stream {
                    @KafkaListener(id = "s", topics = "${x.stream.input-topic}", groupId = "${x.stream.group:g-default}")
                    void on(byte[] value) {}
                }
                """;
        assertThat(KafkaConsumer.inSource("Stream.java", source, Map.of("x.stream.enabled", "false", "x.stream.input-topic", "in"))).isEmpty();
        assertThat(KafkaConsumer.inSource("Stream.java", source, Map.of("x.stream.enabled", true, "x.stream.input-topic", "in")))
                .containsExactly(new KafkaConsumer("s", "g-default", false, "in", false));
    }

    @Test
    void aListenerWithoutAGroupOrWithAnUnresolvableTopicFails() {
        assertThatThrownBy(() -> KafkaConsumer.inSource("A.java", "class A { @KafkaListener(topics = Topics.DRAFT) void on(byte[] v) {} }", Map.of()))
                .hasMessageContaining("names no groupId");
        assertThatThrownBy(() -> KafkaConsumer.inSource("A.java",
                "class A { @KafkaListener(topics = \"${missing}\", groupId = \"g\") void on(byte[] v) {} }", Map.of()))
                .hasMessageContaining("${missing} has no value");
        assertThatThrownBy(() -> KafkaConsumer.inSource("A.java",
                "class A { @KafkaListener(topicPattern = \"llm.*\", groupId = \"g\") void on(byte[] v) {} }", Map.of()))
                .hasMessageContaining("do not read");
    }

    @Test
    void severalTopicsAndSpelGroupsAreRead() {
        List<KafkaConsumer> consumers = KafkaConsumer.inSource("B.java",
                "class B { @KafkaListener(id = \"b\", topics = {Topics.GENERATE, \"other\"}, groupId = \"#{@group.name()}\") void on(byte[] v) {} }", Map.of());
        assertThat(consumers).containsExactly(new KafkaConsumer("b", "#{@group.name()}", true, "llm.generate", false),
                new KafkaConsumer("b", "#{@group.name()}", true, "other", false));
    }
}
