package io.speculum.gateway;

import io.speculum.gateway.backend.ReplyTopic;
import io.speculum.service.SpeculumKafkaProperties;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityScheme;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;

/** This instance's reply topic (created at start, deleted at shutdown when the instance id was generated) and its API description. */
@Configuration(proxyBeanMethods = false)
class GatewayConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayConfiguration.class);

    @Bean
    ReplyTopic replyTopic(GatewayProperties properties) {
        String id = properties.resolvedInstanceId();
        return new ReplyTopic(id, properties.replyTopicPrefix() + id, properties.ephemeralInstance());
    }

    /** One partition: one consumer (this instance) reads it, in order. Replies are only useful for minutes. */
    @Bean
    NewTopic replyTopicDeclaration(ReplyTopic replyTopic, SpeculumKafkaProperties kafka) {
        return TopicBuilder.name(replyTopic.name()).partitions(1).replicas(kafka.replicas())
                .config(TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofHours(1).toMillis()))
                .build();
    }

    @Bean
    EphemeralReplyTopicCleanup ephemeralReplyTopicCleanup(ReplyTopic replyTopic, KafkaAdmin admin) {
        return new EphemeralReplyTopicCleanup(replyTopic, admin);
    }

    @Bean
    OpenAPI speculumOpenApi() {
        return new OpenAPI()
                .info(new Info().title("Speculum gateway").version("1")
                        .description("OpenAI-compatible completions and chat completions (JSON or server-sent events) over "
                                + "Speculum's speculative decoding; extensions live under the `speculum` field"))
                .components(new Components().addSecuritySchemes("bearer",
                        new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")));
    }

    /** Deletes a generated instance's reply topic when the instance stops, so restarts do not pile up topics. */
    static final class EphemeralReplyTopicCleanup implements DisposableBean {

        private final ReplyTopic replyTopic;
        private final KafkaAdmin admin;

        EphemeralReplyTopicCleanup(ReplyTopic replyTopic, KafkaAdmin admin) {
            this.replyTopic = replyTopic;
            this.admin = admin;
        }

        @Override
        public void destroy() {
            if (!replyTopic.ephemeral()) {
                return;
            }
            try (AdminClient client = AdminClient.create(admin.getConfigurationProperties())) {
                client.deleteTopics(List.of(replyTopic.name())).all().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warn("Could not delete the reply topic {}: {}", replyTopic.name(), e.toString());
            }
        }
    }
}
