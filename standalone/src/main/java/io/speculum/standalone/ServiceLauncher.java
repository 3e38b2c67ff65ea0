package io.speculum.standalone;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.test.EmbeddedKafkaBroker;

/**
 * Starts each configured service as an independent application context against the in-process broker, and stops
 * them in reverse order before the broker goes. Independent (not child) contexts: a service sees only its own
 * configuration file plus the broker address, as it would in its own process.
 */
final class ServiceLauncher implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceLauncher.class);

    private final StandaloneProperties properties;
    private final EmbeddedKafkaBroker broker;
    private final String sharedDir;
    private final Map<String, ConfigurableApplicationContext> running = new LinkedHashMap<>();

    ServiceLauncher(StandaloneProperties properties, EmbeddedKafkaBroker broker, String sharedDir) {
        this.properties = properties;
        this.broker = broker;
        this.sharedDir = sharedDir;
    }

    @Override
    public synchronized void start() {
        for (String name : properties.services()) {
            Map<String, Object> overrides = new LinkedHashMap<>(properties.serviceProperties());
            overrides.put("spring.kafka.bootstrap-servers", broker.getBrokersAsString());
            overrides.put("speculum.shared.dir", sharedDir);
            try {
                running.put(name, ServiceCatalog.builder(name).properties(overrides).run());
            } catch (RuntimeException e) {
                stop();
                throw new IllegalStateException("the standalone could not start " + name + ": " + e.getMessage(), e);
            }
            LOG.info("{} started", name);
        }
        LOG.info("Speculum standalone: Kafka at {}, services {}", broker.getBrokersAsString(), running.keySet());
    }

    @Override
    public synchronized void stop() {
        List<String> names = new ArrayList<>(running.keySet());
        Collections.reverse(names);
        for (String name : names) {
            running.remove(name).close();
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return !running.isEmpty();
    }

    /** The running services by name (their contexts: ports, beans, health). */
    synchronized Map<String, ConfigurableApplicationContext> services() {
        return Map.copyOf(running);
    }
}
