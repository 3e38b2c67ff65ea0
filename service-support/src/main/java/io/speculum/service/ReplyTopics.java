package io.speculum.service;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a reply topic a request named can be written to. A missing one is created when
 * {@code speculum.kafka.create-topics} is on and its name matches {@code speculum.kafka.reply-topic-pattern} (so a
 * client cannot make the services create arbitrary topics); otherwise the reply cannot be delivered, which the caller
 * reports. Each name is looked up once (a missing one again after a short while), on the replying thread, so that a
 * request's events keep their order.
 */
public class ReplyTopics implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReplyTopics.class);
    private static final long RECHECK_MISSING_MILLIS = 2_000;
    private static final long LEADER_POLL_MILLIS = 20;

    private final Map<String, Object> adminConfig;
    private final SpeculumKafkaProperties properties;
    private final Pattern creatable;
    private final Duration timeout;
    private final Set<String> ready = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> missingUntil = new ConcurrentHashMap<>();
    private volatile Admin admin;

    public ReplyTopics(Map<String, Object> adminConfig, SpeculumKafkaProperties properties) {
        this.adminConfig = Map.copyOf(adminConfig);
        this.properties = properties;
        this.creatable = properties.replyTopicPattern().isBlank() ? null : Pattern.compile(properties.replyTopicPattern());
        this.timeout = properties.healthTimeout();
    }

    /** Whether the services may create this reply topic (the setting is on and the name matches). */
    public boolean mayCreate(String topic) {
        return properties.createTopics() && creatable != null && creatable.matcher(topic).matches();
    }

    /**
     * True when {@code topic} exists or was just created; false when it is missing and may not be created. When the
     * broker cannot say (unreachable, slow), true: the producer then tries, and reports its own failure.
     */
    public boolean available(String topic) {
        if (ready.contains(topic)) {
            return true;
        }
        Long until = missingUntil.get(topic);
        if (until != null && System.currentTimeMillis() < until) {
            return false;
        }
        try {
            TopicDescription found = admin().describeTopics(List.of(topic)).allTopicNames()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(topic);
            if (hasLeaders(found) || awaitLeaders(topic)) {
                ready.add(topic);
            }
            return true;
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                return true;
            }
        } catch (TimeoutException e) {
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
        if (!mayCreate(topic)) {
            missingUntil.put(topic, System.currentTimeMillis() + RECHECK_MISSING_MILLIS);
            return false;
        }
        return create(topic);
    }

    private boolean create(String topic) {
        try {
            admin().createTopics(List.of(new NewTopic(topic, properties.partitions(), properties.replicas())))
                    .all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("Created the reply topic {} ({} partitions, {} replicas)", topic, properties.partitions(), properties.replicas());
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                LOG.warn("Could not create the reply topic {}: {}", topic, e.getCause().toString());
                return true; // let the producer try and report
            }
        } catch (TimeoutException e) {
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
        if (awaitLeaders(topic)) {
            ready.add(topic);
        }
        return true;
    }

    /**
     * Until every partition of a topic just created (here or by another service) has a leader: a record sent before
     * that fails with NOT_LEADER_OR_FOLLOWER, and the idempotent producer's retry of it can then land behind the
     * request's later events (seen as a request whose first round event went missing). False when the broker did not
     * say within the timeout: the producer then tries, and the topic is looked up again next time.
     */
    private boolean awaitLeaders(String topic) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                TopicDescription description = admin().describeTopics(List.of(topic)).allTopicNames()
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(topic);
                if (hasLeaders(description)) {
                    return true;
                }
                Thread.sleep(LEADER_POLL_MILLIS);
            }
        } catch (ExecutionException | TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    private static boolean hasLeaders(TopicDescription description) {
        return description != null && !description.partitions().isEmpty()
                && description.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty());
    }

    private Admin admin() {
        Admin current = admin;
        if (current == null) {
            synchronized (this) {
                if (admin == null) {
                    admin = Admin.create(adminConfig);
                }
                current = admin;
            }
        }
        return current;
    }

    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(1));
            admin = null;
        }
    }
}
