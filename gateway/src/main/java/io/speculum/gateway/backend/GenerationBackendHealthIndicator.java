package io.speculum.gateway.backend;

import io.speculum.gateway.GatewayProperties;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DescribeConsumerGroupsOptions;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.stereotype.Component;

/**
 * Up when a generation can succeed: this instance reads its reply topic (the listener owns its partition) and the
 * verifiers' consumer group has live members. Part of readiness, so a load balancer sends no traffic before.
 */
@Component
class GenerationBackendHealthIndicator implements HealthIndicator, DisposableBean {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final AdminClient admin;
    private final KafkaListenerEndpointRegistry listeners;
    private final ReplyTopic replyTopic;
    private final String verifierGroup;

    GenerationBackendHealthIndicator(KafkaAdmin kafkaAdmin, KafkaListenerEndpointRegistry listeners, ReplyTopic replyTopic,
            GatewayProperties properties) {
        this.admin = AdminClient.create(kafkaAdmin.getConfigurationProperties());
        this.listeners = listeners;
        this.replyTopic = replyTopic;
        this.verifierGroup = properties.verifierGroup();
    }

    @Override
    public Health health() {
        MessageListenerContainer container = listeners.getListenerContainer(ReplyRouter.LISTENER_ID);
        boolean replies = container != null && container.getAssignedPartitions() != null && !container.getAssignedPartitions().isEmpty();
        Health.Builder health = Health.unknown().withDetail("replyTopic", replyTopic.name()).withDetail("replyListenerAssigned", replies)
                .withDetail("verifierGroup", verifierGroup);
        try {
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(verifierGroup),
                            new DescribeConsumerGroupsOptions().timeoutMs((int) TIMEOUT.toMillis()))
                    .describedGroups().get(verifierGroup).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            int members = group.members().size();
            health.withDetail("verifiers", members).withDetail("verifierGroupState", String.valueOf(group.groupState()));
            return (replies && members > 0 ? health.up() : health.down()).build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return health.down(e).build();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return health.down().withDetail("verifiers", 0).withDetail("verifierGroupState", "absent").build();
            }
            return health.down(e.getCause()).build();
        } catch (Exception e) {
            return health.down(e).build();
        }
    }

    @Override
    public void destroy() {
        admin.close(Duration.ofSeconds(1));
    }
}
