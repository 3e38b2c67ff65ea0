package io.speculum.service;

import io.speculum.protocol.Topics;
import java.util.List;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;

/** What every Speculum service gets: model and broker health, and the protocol's topics. */
@AutoConfiguration(after = KafkaAutoConfiguration.class)
@EnableConfigurationProperties(SpeculumKafkaProperties.class)
public class ServiceSupportAutoConfiguration {

    @Bean
    @ConditionalOnBean(ServedModel.class)
    ModelHealthIndicator modelsHealthIndicator(ObjectProvider<ServedModel> models) {
        return new ModelHealthIndicator(List.copyOf(models.orderedStream().toList()));
    }

    @Bean
    @ConditionalOnBean(KafkaAdmin.class)
    KafkaHealthIndicator kafkaHealthIndicator(KafkaAdmin admin, SpeculumKafkaProperties properties) {
        return new KafkaHealthIndicator(admin, properties.healthTimeout());
    }

    @Bean
    @ConditionalOnProperty(name = "speculum.kafka.create-topics", matchIfMissing = true)
    KafkaAdmin.NewTopics speculumProtocolTopics(SpeculumKafkaProperties properties) {
        return new KafkaAdmin.NewTopics(List.of(Topics.GENERATE, Topics.DRAFT, Topics.VERIFY, Topics.DEAD_LETTER)
                .stream()
                .map(name -> topic(name, properties))
                .toArray(NewTopic[]::new));
    }

    private static NewTopic topic(String name, SpeculumKafkaProperties properties) {
        return TopicBuilder.name(name).partitions(properties.partitions()).replicas(properties.replicas()).build();
    }
}
