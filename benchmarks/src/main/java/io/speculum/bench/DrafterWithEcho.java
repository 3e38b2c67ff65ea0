package io.speculum.bench;

import io.speculum.drafter.DrafterApplication;
import io.speculum.service.DraftHopTemplate;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.MessageListener;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The drafter-service's JVM as the benchmark starts it, plus a bare Kafka echo (ping topic to pong topic, plain
 * clients, the hop's producer settings): the ping-pong floor is then measured between the same two JVMs as the hop.
 */
public final class DrafterWithEcho {

    static final String PING = "bench-ping";
    static final String PONG = "bench-pong";
    /** The same echo through the drafter-service's own Kafka beans: its listener container factory and hop template. */
    static final String SPRING_PING = "bench-spring-ping";
    static final String SPRING_PONG = "bench-spring-pong";
    private static final String BOOTSTRAP = "--spring.kafka.bootstrap-servers=";

    private DrafterWithEcho() {
    }

    public static void main(String[] args) {
        String bootstrap = Arrays.stream(args).filter(a -> a.startsWith(BOOTSTRAP)).map(a -> a.substring(BOOTSTRAP.length()))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("no " + BOOTSTRAP + " argument"));
        Thread.ofPlatform().daemon().name("bench-echo").start(() -> echo(bootstrap));
        ConfigurableApplicationContext app = DrafterApplication.builder().run(args);
        springEcho(app);
    }

    @SuppressWarnings("unchecked")
    private static void springEcho(ConfigurableApplicationContext app) {
        KafkaTemplate<String, byte[]> out = DraftHopTemplate.of(app.getBean(KafkaTemplate.class));
        org.springframework.kafka.listener.AbstractMessageListenerContainer<String, byte[]> container = (org.springframework.kafka.listener.AbstractMessageListenerContainer<String, byte[]>)
                app.getBean(ConcurrentKafkaListenerContainerFactory.class).createContainer(SPRING_PING);
        container.getContainerProperties().setGroupId("bench-spring-echo");
        container.getContainerProperties().setMessageListener(
                (MessageListener<String, byte[]>) record -> out.send(SPRING_PONG, record.key(), record.value()));
        container.start();
    }

    private static void echo(String bootstrap) {
        try (KafkaConsumer<String, byte[]> in = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "bench-echo", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest"),
                new StringDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<String, byte[]> out = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                     ProducerConfig.LINGER_MS_CONFIG, 0, ProducerConfig.ACKS_CONFIG, "1", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false),
                     new StringSerializer(), new ByteArraySerializer())) {
            in.subscribe(List.of(PING));
            while (!Thread.currentThread().isInterrupted()) {
                for (ConsumerRecord<String, byte[]> record : in.poll(Duration.ofMillis(100))) {
                    out.send(new ProducerRecord<>(PONG, record.key(), record.value()));
                }
            }
        }
    }
}
