package io.speculum.bench;

import io.speculum.protocol.DraftProposal;
import io.speculum.protocol.DraftRequest;
import io.speculum.protocol.DraftTiming;
import io.speculum.protocol.DraftTopicRecord;
import io.speculum.protocol.ProtocolCodec;
import io.speculum.protocol.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A plain consumer in the verifier's JVM, in a group of its own, reading both hop topics as the services do: how long
 * after its sender's stamp each round message reaches a bare Kafka consumer. Beside the services' own stages it
 * splits a slow leg between the producing side and the broker (the spy is late too) and the consuming service (only
 * the service is late).
 */
final class HopSpy implements AutoCloseable {

    private final List<Double> requests = new CopyOnWriteArrayList<>();
    private final List<Double> proposals = new CopyOnWriteArrayList<>();
    /** Stamp to the broker's append (the broker stamps LogAppendTime, ms) and append to this consumer, both legs. */
    private final List<Double> toAppend = new CopyOnWriteArrayList<>();
    private final List<Double> fromAppend = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    HopSpy(String bootstrap) {
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "bench-hop-spy", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest"),
                new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(Topics.DRAFT, Topics.VERIFY));
        while (consumer.assignment().isEmpty()) {
            consumer.poll(Duration.ofMillis(50));
        }
        thread = Thread.ofPlatform().daemon().name("bench-hop-spy").start(() -> {
            try (consumer) {
                while (running) {
                    for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                        record(record);
                    }
                }
            }
        });
    }

    private void record(ConsumerRecord<String, byte[]> record) {
        long now = DraftTiming.nowMicros();
        long stamp = 0;
        if (record.topic().equals(Topics.DRAFT)) {
            if (ProtocolCodec.read(record.value(), DraftTopicRecord.class) instanceof DraftRequest request && request.sentAtMicros() > 0) {
                requests.add((now - request.sentAtMicros()) / 1000.0);
                stamp = request.sentAtMicros();
            }
        } else {
            DraftProposal proposal = ProtocolCodec.read(record.value(), DraftProposal.class);
            if (proposal.timing() != null && proposal.timing().sent() > 0) {
                proposals.add((now - proposal.timing().sent()) / 1000.0);
                stamp = proposal.timing().sent();
            }
        }
        if (stamp > 0 && record.timestampType() == org.apache.kafka.common.record.TimestampType.LOG_APPEND_TIME) {
            toAppend.add(record.timestamp() - stamp / 1000.0);
            fromAppend.add(now / 1000.0 - record.timestamp());
        }
    }

    /**
     * Mean ms from a sender's stamp to the broker's append and from the append to this consumer (the broker stamps in
     * whole ms, so only means over many records say something; empty without LogAppendTime).
     */
    double[] meanAroundAppend() {
        return new double[] {toAppend.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN),
                fromAppend.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN), toAppend.size()};
    }

    /** From the verifier's stamp to this consumer, ms, per draft request so far. */
    double[] requestMillis() {
        return requests.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** From the drafter's stamp to this consumer, ms, per proposal so far. */
    double[] proposalMillis() {
        return proposals.stream().mapToDouble(Double::doubleValue).toArray();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(2000);
    }
}
