package io.speculum.detector;

import io.speculum.protocol.Topics;
import io.speculum.protocol.detection.DetectReply;
import io.speculum.protocol.detection.DetectionError;
import io.speculum.service.SpeculumKafkaProperties;
import io.speculum.service.UnreadableRequestReply;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;

/**
 * The detector's own topics: {@code llm.detect} and, in stream mode, the input and output topics; and the answer to
 * an unreadable request on {@code llm.detect}.
 */
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

    /** A detect request that cannot be read but names its id and reply topic is answered INVALID_REQUEST there. */
    @Bean
    UnreadableRequestReply unreadableDetectReply(Detector detector) {
        return new UnreadableRequestReply(Set.of(Topics.DETECT), (requestId, reason) -> DetectReply.failed(requestId,
                detector.observers(), new DetectionError(DetectionError.Code.INVALID_REQUEST, reason, null)));
    }
}
