package io.speculum.service;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.speculum.protocol.GenerationEvent;
import io.speculum.protocol.ProtocolError.ErrorCode;
import io.speculum.protocol.Topics;
import java.util.Set;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaConsumerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.FixedBackOff;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.http.client.ReactorResourceFactory;
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

    /**
     * Every service's Netty resources are its own: Reactor Netty's global event loops are disposed by whichever
     * application context closes first, which in the standalone (all services in one JVM) stopped the HTTP servers
     * of the services still running.
     */
    @Bean
    static BeanPostProcessor ownReactorNettyResources() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessBeforeInitialization(Object bean, String beanName) {
                if (bean instanceof ReactorResourceFactory factory) {
                    factory.setUseGlobalResources(false);
                }
                return bean;
            }
        };
    }

    /** Spring Boot applies a unique container customizer to its listener container factory. */
    @Bean
    TransientListenerCommits transientListenerCommits() {
        return new TransientListenerCommits();
    }

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
        return new KafkaAdmin.NewTopics(List.of(Topics.GENERATE, Topics.DRAFT, Topics.VERIFY, Topics.SMALL_GENERATE, Topics.DEAD_LETTER)
                .stream()
                .map(name -> topic(name, properties))
                .toArray(NewTopic[]::new));
    }

    /** Protocol records are String-keyed (request id) JSON bytes, written and read by {@code ProtocolCodec}. */
    @Bean
    DefaultKafkaProducerFactoryCustomizer protocolProducerSerdes() {
        return factory -> factory.updateConfigs(Map.of(
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class));
    }

    @Bean
    DefaultKafkaConsumerFactoryCustomizer protocolConsumerSerdes() {
        return factory -> factory.updateConfigs(Map.of(
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class));
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnBean(KafkaAdmin.class)
    ReplyTopics replyTopics(KafkaAdmin admin, SpeculumKafkaProperties properties) {
        return new ReplyTopics(admin.getConfigurationProperties(), properties);
    }

    @Bean
    @ConditionalOnBean({KafkaTemplate.class, ReplyTopics.class})
    ReplySender replySender(KafkaTemplate<String, byte[]> kafka, ReplyTopics topics, ObjectProvider<MeterRegistry> meters) {
        return new ReplySender(kafka, topics, meters.getIfAvailable(() -> Metrics.globalRegistry));
    }

    @Bean
    @ConditionalOnBean(ReplySender.class)
    GenerationEventPublisher generationEventPublisher(ReplySender replies) {
        return new GenerationEventPublisher(replies);
    }

    /** An unreadable generation request (on either generation topic) is answered with an {@code error} event. */
    @Bean
    UnreadableRequestReply unreadableGenerationReply() {
        return new UnreadableRequestReply(Set.of(Topics.GENERATE, Topics.SMALL_GENERATE),
                (requestId, reason) -> new GenerationEvent.Error(requestId, 0, ErrorCode.INVALID_REQUEST, reason));
    }

    /**
     * A record a listener cannot handle (malformed JSON, an unknown message type) is published unchanged to the
     * dead-letter topic, with the exception and its origin in headers, and the listener moves on: nothing is
     * retried (such failures do not heal) and nothing is lost. An unreadable request that still names its id and
     * reply topic is also answered there ({@link UnreadableRecordRecoverer}).
     */
    @Bean
    @ConditionalOnBean({KafkaTemplate.class, ReplySender.class})
    DefaultErrorHandler deadLetterErrorHandler(KafkaTemplate<Object, Object> template, ReplySender replies,
                                               ObjectProvider<UnreadableRequestReply> answers) {
        DeadLetterPublishingRecoverer deadLetter = new DeadLetterPublishingRecoverer(template,
                (record, failure) -> new TopicPartition(Topics.DEAD_LETTER, -1));
        return new DefaultErrorHandler(new UnreadableRecordRecoverer(deadLetter, replies, answers.orderedStream().toList()),
                new FixedBackOff(0L, 0L));
    }

    private static NewTopic topic(String name, SpeculumKafkaProperties properties) {
        return TopicBuilder.name(name).partitions(properties.partitions()).replicas(properties.replicas()).build();
    }
}
