package io.speculum.cascade;

import io.micrometer.core.instrument.MeterRegistry;
import io.speculum.cascade.deferral.DeferralRule;
import io.speculum.cascade.deferral.DeferralRules;
import io.speculum.protocol.Topics;
import io.speculum.service.SpeculumKafkaProperties;
import io.speculum.service.UnreadableRequestReply;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;

/** The router's rule (a bad rule name or learned-model file stops the start clearly), its router and its topics. */
@Configuration(proxyBeanMethods = false)
class CascadeRouterConfiguration {

    @Bean
    DeferralRule deferralRule(CascadeProperties properties) {
        return DeferralRules.byName(properties.rule(), properties.learnedModel());
    }

    @Bean
    CascadeMetrics cascadeMetrics(MeterRegistry registry, DeferralRule deferralRule) {
        return new CascadeMetrics(registry, deferralRule.name());
    }

    @Bean(destroyMethod = "shutdownNow")
    ScheduledExecutorService cascadeTimer() {
        return Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("cascade-timer").unstarted(r));
    }

    // closed before the timer (reverse creation order): requests in progress get an error reply first
    @Bean(destroyMethod = "close")
    CascadeRouter cascadeRouter(CascadeProperties properties, DeferralRule deferralRule, CascadeOutput output,
                                CascadeMetrics cascadeMetrics, ScheduledExecutorService cascadeTimer) {
        return new CascadeRouter(properties, deferralRule, output, cascadeMetrics, cascadeTimer);
    }

    /** Each instance reads the whole reply topic with a group of its own and keeps the events of its requests. */
    /** An unreadable cascade request that names its id and reply topic is answered INVALID_REQUEST there. */
    @Bean
    UnreadableRequestReply unreadableCascadeReply(CascadeRouter cascadeRouter) {
        return new UnreadableRequestReply(Set.of(Topics.CASCADE), cascadeRouter::unreadable);
    }

    @Bean
    String cascadeReplyGroup() {
        return "speculum-cascade-router-" + UUID.randomUUID();
    }

    @Bean
    @ConditionalOnProperty(name = "speculum.kafka.create-topics", matchIfMissing = true)
    KafkaAdmin.NewTopics cascadeTopics(CascadeProperties properties, SpeculumKafkaProperties kafka) {
        return new KafkaAdmin.NewTopics(
                TopicBuilder.name(Topics.CASCADE).partitions(kafka.partitions()).replicas(kafka.replicas()).build(),
                TopicBuilder.name(properties.replyTopic()).partitions(kafka.partitions()).replicas(kafka.replicas()).build());
    }
}
