package io.speculum.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * Where Docker runs: the compose file's Kafka image, and its kafka-init service's own script and topic list run in a
 * second container on the same network, as compose runs them; the topics then exist with the partitions and
 * retention the file states.
 */
@Testcontainers(disabledWithoutDocker = true)
class ComposeKafkaContainerTest {

    @Test
    void composeKafkaAndItsTopicInitWork() throws Exception {
        Map<String, Object> compose = Repository.yaml(Repository.file("docker-compose.yml"));
        Map<String, Object> init = Nodes.mapAt(compose, "services", ComposeChecks.INIT);
        String script = String.valueOf(Nodes.listAt(init, "command").getFirst())
                .replace("$$", "$") // compose's escape for a literal $
                .replace("kafka:9092", "kafka:19092");
        String topics = Nodes.text(init, "environment", "SPECULUM_TOPICS");
        try (Network network = Network.newNetwork();
             KafkaContainer kafka = new KafkaContainer(Nodes.text(compose, "services", ComposeChecks.KAFKA, "image"))
                     .withNetwork(network).withNetworkAliases("kafka").withListener("kafka:19092")) {
            kafka.start();
            try (GenericContainer<?> topicInit = new GenericContainer<>(Nodes.text(init, "image"))
                    .withNetwork(network)
                    .withEnv("SPECULUM_TOPICS", topics)
                    .withCreateContainerCmdModifier(c -> c.withEntrypoint("/bin/bash", "-c"))
                    .withCommand(script)
                    .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(Duration.ofMinutes(2)))) {
                topicInit.start();
            }
            Properties properties = new Properties();
            properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBootstrapServers());
            try (Admin admin = Admin.create(properties)) {
                Map<String, Integer> expected = ComposeChecks.initTopics(compose);
                Map<String, TopicDescription> described = admin.describeTopics(expected.keySet()).allTopicNames().get();
                expected.forEach((topic, partitions) -> assertThat(described.get(topic).partitions()).as(topic).hasSize(partitions));
                assertThat(expected.keySet()).isEqualTo(ProtocolTopics.deployable(ServiceConfig.all()));
                ConfigResource generate = new ConfigResource(ConfigResource.Type.TOPIC, "llm.generate");
                String retention = admin.describeConfigs(List.of(generate)).all().get().get(generate).get("retention.ms").value();
                assertThat(topics).contains("llm.generate:" + expected.get("llm.generate") + ":" + retention);
            }
        }
    }
}
