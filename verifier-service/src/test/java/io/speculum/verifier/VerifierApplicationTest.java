package io.speculum.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.speculum.protocol.Topics;
import io.speculum.service.ApplicationChecks;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;

/** The verifier-service starts against a real (in-process KRaft) broker with its real model, and says so over HTTP. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {"spring.config.name=" + VerifierApplication.CONFIG_NAME,
        "speculum.verifier.cost.single-token-millis=20", "speculum.verifier.cost.relative[4]=2.4", "speculum.verifier.cost.relative[8]=3.4"})
@EmbeddedKafka(bootstrapServersProperty = "spring.kafka.bootstrap-servers")
class VerifierApplicationTest {

    @LocalServerPort
    int port;

    @Autowired
    EmbeddedKafkaBroker broker;

    @Autowired
    SpeculativeVerifier verifier;

    @Autowired
    org.springframework.kafka.config.KafkaListenerEndpointRegistry listeners;

    @Test
    void aConfiguredCostCurveIsUsedAsGiven() {
        assertThat(verifier.costCurve()).isEqualTo(CostCurve.of(20, Map.of(4, 2.4, 8, 3.4)));
    }

    @Test
    void theProposalsListenerCommitsOnceASecondAndRequestsOnEachPoll() {
        var hop = listeners.getListenerContainer("verifier-verify").getContainerProperties();
        assertThat(hop.getAckMode()).isEqualTo(org.springframework.kafka.listener.ContainerProperties.AckMode.TIME);
        assertThat(hop.isSyncCommits()).isFalse();
        var requests = listeners.getListenerContainer("verifier-generate").getContainerProperties();
        assertThat(requests.getAckMode()).isEqualTo(org.springframework.kafka.listener.ContainerProperties.AckMode.BATCH);
        assertThat(requests.isSyncCommits()).isTrue();
    }

    @Test
    void startsWithItsModelAndBrokerAndReportsThemHealthy() throws Exception {
        ApplicationChecks.assertHealthyWithModel(port, "target", ApplicationChecks.sharedModel("stories260K.gguf"));
        ApplicationChecks.assertTopicsExist(broker, Topics.GENERATE, Topics.DRAFT, Topics.VERIFY, Topics.DEAD_LETTER);
    }
}
