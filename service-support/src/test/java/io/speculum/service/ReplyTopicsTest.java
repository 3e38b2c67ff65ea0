package io.speculum.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/** Reply topics against a real KRaft broker: created on demand by several services at once, and usable at once. */
class ReplyTopicsTest {

    private static EmbeddedKafkaKraftBroker broker;

    @BeforeAll
    static void start() {
        broker = new EmbeddedKafkaKraftBroker(1, 1);
        broker.afterPropertiesSet();
    }

    @AfterAll
    static void stop() {
        broker.destroy();
    }

    private static ReplyTopics replyTopics() {
        return new ReplyTopics(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString()),
                new SpeculumKafkaProperties(true, 3, (short) 1, Duration.ofSeconds(5), ".*replies.*"));
    }

    @Test
    void aReplyTopicCreatedByServicesAtOnceHasALeaderForEveryPartitionWhenTheyFirstReply() throws Exception {
        List<ReplyTopics> services = List.of(replyTopics(), replyTopics(), replyTopics());
        try (var pool = Executors.newFixedThreadPool(services.size());
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString()))) {
            List<CompletableFuture<Boolean>> answers = services.stream()
                    .map(s -> CompletableFuture.supplyAsync(() -> s.available("client-1-replies"), pool)).toList();
            for (CompletableFuture<Boolean> answer : answers) {
                assertThat(answer.get(30, TimeUnit.SECONDS)).isTrue();
            }
            // the moment any of them may send: every partition already led (a send before fails NOT_LEADER_OR_FOLLOWER)
            TopicDescription topic = admin.describeTopics(List.of("client-1-replies")).allTopicNames().get(10, TimeUnit.SECONDS)
                    .get("client-1-replies");
            assertThat(topic.partitions()).hasSize(3).allSatisfy(p -> assertThat(p.leader()).isNotNull());
        } finally {
            services.forEach(ReplyTopics::close);
        }
    }

    @Test
    void aNameOutsideThePatternIsNotCreated() {
        try (ReplyTopics topics = replyTopics()) {
            assertThat(topics.available("somewhere-else")).isFalse();
            assertThat(topics.mayCreate("somewhere-else")).isFalse();
            assertThat(topics.mayCreate("my-replies")).isTrue();
        }
    }
}
