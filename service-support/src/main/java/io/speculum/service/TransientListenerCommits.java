package io.speculum.service;

import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.springframework.kafka.config.ContainerCustomizer;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;

/**
 * The listeners of transient records (a round's draft requests and proposals, a gateway's replies) commit their
 * offsets once a second, asynchronously, and the round's two record no observation (their producer records none
 * either: {@link DraftHopTemplate}). By default a listener commits synchronously
 * after every poll: per round that is one more broker request, through the group coordinator, at the moment the
 * round's next message crosses the broker, and a listener thread blocked until it is acknowledged. Redelivering a
 * second of such records after a restart is harmless: stale rounds and replies of streams no one awaits are dropped.
 * Requests ({@code llm.generate} and the like) keep the default: each is committed once it is handled.
 */
public final class TransientListenerCommits implements ContainerCustomizer<Object, Object, ConcurrentMessageListenerContainer<Object, Object>> {

    /** The listener ids of the round's two hops. */
    public static final Set<String> HOPS = Set.of("drafter-draft", "verifier-verify");
    /** Every listener id it applies to: the hops and a gateway's replies. */
    public static final Set<String> LISTENERS = Stream.concat(HOPS.stream(), Stream.of("gateway-replies"))
            .collect(Collectors.toUnmodifiableSet());
    static final Duration COMMIT_INTERVAL = Duration.ofSeconds(1);

    @Override
    public void configure(ConcurrentMessageListenerContainer<Object, Object> container) {
        if (!LISTENERS.contains(container.getListenerId())) {
            return;
        }
        ContainerProperties properties = container.getContainerProperties();
        properties.setAckMode(ContainerProperties.AckMode.TIME);
        properties.setAckTime(COMMIT_INTERVAL.toMillis());
        properties.setSyncCommits(false);
        if (HOPS.contains(container.getListenerId())) {
            properties.setObservationEnabled(false);
        }
    }
}
