package io.speculum.cascade;

import io.speculum.protocol.ProtocolCodec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads one topic in the background, as a client would, keeping its records by key. */
final class TopicCollector<T> implements AutoCloseable {

    private final Map<String, List<T>> byKey = new ConcurrentHashMap<>();
    private final List<ConsumerRecord<String, byte[]>> raw = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    TopicCollector(String bootstrap, String topic, Class<T> type) {
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "test-client-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic));
        thread = Thread.ofPlatform().daemon().name("collector-" + topic).start(() -> {
            try (consumer) {
                while (running) {
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                        raw.add(record);
                        if (type != null) {
                            byKey.computeIfAbsent(record.key(), k -> new CopyOnWriteArrayList<>()).add(ProtocolCodec.read(record.value(), type));
                        }
                    }
                }
            }
        });
    }

    List<T> records(String key) {
        return byKey.getOrDefault(key, List.of());
    }

    List<ConsumerRecord<String, byte[]>> raw() {
        return raw;
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
