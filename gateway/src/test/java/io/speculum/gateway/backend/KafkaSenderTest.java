package io.speculum.gateway.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;

class KafkaSenderTest {

    /** No broker answers: the producer waits for the topic's metadata, which must not be the caller's wait. */
    @Test
    void aSendToAnAbsentBrokerReturnsAtOnceAndFailsLater() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        DefaultKafkaProducerFactory<String, byte[]> producers = new DefaultKafkaProducerFactory<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:" + port, ProducerConfig.MAX_BLOCK_MS_CONFIG, 1500),
                new StringSerializer(), new ByteArraySerializer());
        KafkaSender sender = new KafkaSender(new KafkaTemplate<>(producers));
        try {
            long start = System.nanoTime();
            CompletableFuture<Void> sent = sender.send("llm.generate", "r-1", new byte[] {1});
            assertThat((System.nanoTime() - start) / 1e6).as("ms the caller waited").isLessThan(200.0);
            assertThat(sent).isNotDone();
            assertThatThrownBy(() -> sent.get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasRootCauseInstanceOf(TimeoutException.class);
        } finally {
            sender.destroy();
            producers.destroy();
        }
        assertThat(sender.send("llm.generate", "r-2", new byte[] {2})).as("a send while the gateway stops").isCompletedExceptionally();
    }
}
