package io.speculum.standalone;

import io.speculum.protocol.Topics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * The in-process broker (Kafka's own KRaft test kit, through spring-kafka-test) and the services on it. The kit
 * picks a free port for the broker (spring-kafka 4.1's KRaft broker ignores fixed ports, and its controller listener
 * cannot be moved); the address is logged at start and shown in every service's Kafka health.
 */
@Configuration(proxyBeanMethods = false)
class StandaloneConfiguration {

    @Bean
    StandaloneModels standaloneModels(StandaloneProperties properties) {
        return StandaloneModels.resolve(properties.models(), properties.services().contains(ServiceCatalog.SMALL_DRAFTER));
    }

    @Bean(destroyMethod = "destroy")
    EmbeddedKafkaBroker kafkaBroker(StandaloneProperties properties, StandaloneModels models) {
        EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, properties.partitions(),
                Topics.GENERATE, Topics.DRAFT, Topics.VERIFY, Topics.SMALL_GENERATE, Topics.CASCADE, Topics.DETECT, Topics.DEAD_LETTER);
        broker.afterPropertiesSet();
        return broker;
    }

    @Bean
    ServiceLauncher serviceLauncher(StandaloneProperties properties, EmbeddedKafkaBroker kafkaBroker, StandaloneModels models,
            @Value("${speculum.shared.dir:../shared}") String sharedDir) {
        return new ServiceLauncher(properties, kafkaBroker, sharedDir, modelProperties(models, properties));
    }

    /**
     * Each service's models, from the standalone's configuration; the gateway gets the key's hash, never the key. With
     * a small drafter the main drafter leaves small-model generation to it, and the cascade router asks for its model
     * (small) and the target (large); the gateway serves the cascade model when the router runs.
     */
    private static Map<String, Map<String, Object>> modelProperties(StandaloneModels models, StandaloneProperties properties) {
        Map<String, Map<String, Object>> perService = new LinkedHashMap<>();
        List<String> services = properties.services();
        boolean withSmall = services.contains(ServiceCatalog.SMALL_DRAFTER);
        String name = properties.models().targetName();
        perService.put("verifier-service", Map.of("speculum.verifier.model.path", models.target().toString(),
                "speculum.verifier.model-name", name));
        Map<String, Object> drafter = new LinkedHashMap<>(Map.of("speculum.drafter.model.path", models.drafter().toString()));
        if (withSmall) {
            drafter.put("speculum.drafter.generation.enabled", "false");
            Map<String, Object> small = new LinkedHashMap<>();
            small.put("speculum.drafter.model.path", models.small().toString());
            small.put("speculum.drafter.name", "small");
            small.put("speculum.drafter.drafts.enabled", "false");
            small.put("speculum.drafter.generation.model-name", properties.models().smallName());
            if (!properties.serviceProperties().containsKey("server.port")) {
                small.put("server.port", "8085");
            }
            perService.put(ServiceCatalog.SMALL_DRAFTER, small);
        }
        perService.put("drafter-service", drafter);
        perService.put("cascade-router", Map.of(
                "speculum.cascade.small-model", withSmall ? properties.models().smallName() : "",
                "speculum.cascade.large-model", name,
                "speculum.cascade.small-prompt-suffix", withSmall ? properties.models().smallPromptSuffix() : ""));
        perService.put("detector-service", Map.of("speculum.detector.model.path", models.target().toString()));
        Map<String, Object> gateway = new LinkedHashMap<>(Map.of(
                "speculum.gateway.models", name,
                "speculum.gateway.template-model", models.target().toString(),
                "speculum.gateway.api-keys", LocalApiKey.hash(properties.apiKey())));
        if (services.contains("cascade-router")) {
            gateway.put("speculum.gateway.cascade-models", properties.models().cascade());
        }
        perService.put("gateway", gateway);
        return perService;
    }
}
