package io.speculum.standalone;

import io.speculum.protocol.Topics;
import java.util.LinkedHashMap;
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
        return StandaloneModels.resolve(properties.models());
    }

    @Bean(destroyMethod = "destroy")
    EmbeddedKafkaBroker kafkaBroker(StandaloneProperties properties, StandaloneModels models) {
        EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, properties.partitions(),
                Topics.GENERATE, Topics.DRAFT, Topics.VERIFY, Topics.SMALL_GENERATE, Topics.DEAD_LETTER);
        broker.afterPropertiesSet();
        return broker;
    }

    @Bean
    ServiceLauncher serviceLauncher(StandaloneProperties properties, EmbeddedKafkaBroker kafkaBroker, StandaloneModels models,
            @Value("${speculum.shared.dir:../shared}") String sharedDir) {
        return new ServiceLauncher(properties, kafkaBroker, sharedDir, modelProperties(models, properties));
    }

    /** Each service's models, from the standalone's configuration; the gateway gets the key's hash, never the key. */
    private static Map<String, Map<String, Object>> modelProperties(StandaloneModels models, StandaloneProperties properties) {
        Map<String, Map<String, Object>> perService = new LinkedHashMap<>();
        String name = properties.models().targetName();
        perService.put("verifier-service", Map.of("speculum.verifier.model.path", models.target().toString(),
                "speculum.verifier.model-name", name));
        perService.put("drafter-service", Map.of("speculum.drafter.model.path", models.drafter().toString()));
        perService.put("detector-service", Map.of("speculum.detector.model.path", models.target().toString()));
        perService.put("gateway", Map.of(
                "speculum.gateway.models", name,
                "speculum.gateway.template-model", models.target().toString(),
                "speculum.gateway.api-keys", LocalApiKey.hash(properties.apiKey())));
        return perService;
    }
}
