package io.speculum.standalone;

import io.speculum.protocol.Topics;
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

    @Bean(destroyMethod = "destroy")
    EmbeddedKafkaBroker kafkaBroker(StandaloneProperties properties) {
        EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, properties.partitions(),
                Topics.GENERATE, Topics.DRAFT, Topics.VERIFY, Topics.DEAD_LETTER);
        broker.afterPropertiesSet();
        return broker;
    }

    @Bean
    ServiceLauncher serviceLauncher(StandaloneProperties properties, EmbeddedKafkaBroker kafkaBroker,
            @Value("${speculum.shared.dir:../shared}") String sharedDir) {
        return new ServiceLauncher(properties, kafkaBroker, sharedDir);
    }
}
