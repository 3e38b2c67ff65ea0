package io.speculum.detector;

import io.speculum.protocol.Topics;
import io.speculum.service.SpeculumKafkaProperties;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;

/** The detector's own topics: {@code llm.detect} and, in stream mode, the input and output topics. */
@Configuration(proxyBeanMethods = false)
class DetectorTopics {

    @Bean
    @ConditionalOnProperty(name = "speculum.kafka.create-topics", matchIfMissing = true)
    KafkaAdmin.NewTopics detectionTopics(DetectorProperties properties, SpeculumKafkaProperties kafka) {
        List<String> names = new ArrayList<>(List.of(Topics.DETECT));
        if (properties.stream().enabled()) {
            names.add(properties.stream().inputTopic());
            names.add(properties.stream().outputTopic());
        }
        return new KafkaAdmin.NewTopics(names.stream()
                .map(name -> TopicBuilder.name(name).partitions(kafka.partitions()).replicas(kafka.replicas()).build())
                .toArray(NewTopic[]::new));
    }
}
