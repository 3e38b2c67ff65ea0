package io.speculum.detector;

import io.speculum.protocol.Topics;
import io.speculum.service.ApplicationChecks;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;

/** The detector-service starts against a real (in-process KRaft) broker with its real model, and says so over HTTP. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "spring.config.name=" + DetectorApplication.CONFIG_NAME)
@EmbeddedKafka(bootstrapServersProperty = "spring.kafka.bootstrap-servers")
class DetectorApplicationTest {

    @LocalServerPort
    int port;

    @Autowired
    EmbeddedKafkaBroker broker;

    @Test
    void startsWithItsModelAndBrokerAndReportsThemHealthy() throws Exception {
        ApplicationChecks.assertHealthyWithModel(port, "observer", ApplicationChecks.sharedModel("stories260K.gguf"));
        ApplicationChecks.assertTopicsExist(broker, Topics.GENERATE, Topics.DRAFT, Topics.VERIFY, Topics.DEAD_LETTER);
    }
}
