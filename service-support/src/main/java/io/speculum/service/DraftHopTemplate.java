package io.speculum.service;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * The producer of the speculative round's two hops (draft requests and proposals): the service's producer settings
 * with the leader's acknowledgement only, no idempotence and no observation. A lost or reordered round message
 * costs one round's speed and never correctness (the verifier's draft deadline, {@code STATE_NEEDED}), while waiting
 * for every in-sync replica would add a replication round trip to every round; per-round tracing spans would cost
 * more than they tell (the generation's own request carries the trace).
 */
public final class DraftHopTemplate {

    static final Map<String, Object> OVERRIDES = Map.of(
            ProducerConfig.ACKS_CONFIG, "1",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
            ProducerConfig.LINGER_MS_CONFIG, 0);

    private DraftHopTemplate() {
    }

    /** A template over {@code base}'s producer factory, with the hop's overrides. */
    public static KafkaTemplate<String, byte[]> of(KafkaTemplate<String, byte[]> base) {
        KafkaTemplate<String, byte[]> hop = new KafkaTemplate<>(base.getProducerFactory(), OVERRIDES);
        hop.setObservationEnabled(false);
        return hop;
    }

    /** Closes the hop's own producers (its factory is a copy, not a bean that Spring would close). */
    public static void close(KafkaTemplate<String, byte[]> hop) {
        hop.getProducerFactory().reset();
    }
}
