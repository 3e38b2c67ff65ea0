package io.speculum.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;

class TransientListenerCommitsTest {

    private static ConcurrentMessageListenerContainer<Object, Object> container(String id) {
        ContainerProperties properties = new ContainerProperties("some-topic");
        properties.setObservationEnabled(true);
        ConcurrentMessageListenerContainer<Object, Object> container =
                new ConcurrentMessageListenerContainer<>(new DefaultKafkaConsumerFactory<>(Map.of()), properties);
        container.setBeanName(id);
        new TransientListenerCommits().configure(container);
        return container;
    }

    @Test
    void theRoundsHopsCommitAsynchronouslyOnceASecondWithoutObservation() {
        for (String id : TransientListenerCommits.HOPS) {
            ContainerProperties properties = container(id).getContainerProperties();
            assertThat(properties.getAckMode()).as(id).isEqualTo(ContainerProperties.AckMode.TIME);
            assertThat(properties.getAckTime()).isEqualTo(1000);
            assertThat(properties.isSyncCommits()).isFalse();
            assertThat(properties.isObservationEnabled()).isFalse();
        }
    }

    @Test
    void aGatewaysRepliesCommitLikewiseButKeepTheirObservation() {
        ContainerProperties properties = container("gateway-replies").getContainerProperties();
        assertThat(properties.getAckMode()).isEqualTo(ContainerProperties.AckMode.TIME);
        assertThat(properties.isSyncCommits()).isFalse();
        assertThat(properties.isObservationEnabled()).isTrue();
    }

    @Test
    void requestsKeepTheDefaultCommitAfterEachPoll() {
        ContainerProperties properties = container("verifier-generate").getContainerProperties();
        assertThat(properties.getAckMode()).isEqualTo(ContainerProperties.AckMode.BATCH);
        assertThat(properties.isSyncCommits()).isTrue();
        assertThat(properties.isObservationEnabled()).isTrue();
    }
}
