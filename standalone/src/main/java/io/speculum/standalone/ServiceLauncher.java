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
public final class ServiceLauncher implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceLauncher.class);

    private final StandaloneProperties properties;
    private final EmbeddedKafkaBroker broker;
    private final String sharedDir;
    private final Map<String, Map<String, Object>> serviceOverrides;
    private final Map<String, ConfigurableApplicationContext> running = new LinkedHashMap<>();

    /** @param serviceOverrides per service name, properties it gets on top of the shared ones (its models) */
    ServiceLauncher(StandaloneProperties properties, EmbeddedKafkaBroker broker, String sharedDir,
            Map<String, Map<String, Object>> serviceOverrides) {
        this.properties = properties;
        this.broker = broker;
        this.sharedDir = sharedDir;
        this.serviceOverrides = serviceOverrides;
    }

    @Override
    public synchronized void start() {
        for (String name : properties.services()) {
            Map<String, Object> overrides = new LinkedHashMap<>(properties.serviceProperties());
            overrides.put("spring.kafka.bootstrap-servers", broker.getBrokersAsString());
            overrides.put("speculum.shared.dir", sharedDir);
            overrides.putAll(serviceOverrides.getOrDefault(name, Map.of()));
            try {
                // as command-line arguments: they take precedence over the service's own configuration file
                ConfigurableApplicationContext context = ServiceCatalog.builder(name).run(overrides.entrySet().stream()
                        .map(entry -> "--" + entry.getKey() + "=" + entry.getValue()).toArray(String[]::new));
                running.put(name, context);
            } catch (RuntimeException e) {
                stop();
                throw new IllegalStateException("the standalone could not start " + name + ": " + e.getMessage(), e);
            }
            LOG.info("{} started", name);
        }
        LOG.info("Speculum standalone: Kafka at {}, services {}", broker.getBrokersAsString(), running.keySet());
        ConfigurableApplicationContext gateway = running.get("gateway");
        if (gateway != null) {
            LOG.info(banner(gateway.getEnvironment().getProperty("local.server.port"),
                    gateway.getEnvironment().getProperty("local.management.port"),
                    gateway.getEnvironment().getProperty("speculum.gateway.models[0]", "stories260K")));
        }
    }

    /** What a user needs to talk to the suite: the URL and a request to paste (the local key is not a secret). */
    private String banner(String port, String managementPort, String model) {
        String url = "http://localhost:" + port;
        return String.join(System.lineSeparator(), "",
                "Speculum is ready: OpenAI-compatible API at " + url + "/v1 (API key: " + properties.apiKey() + ")",
                "  health and metrics: http://localhost:" + managementPort + "/actuator/health, API description: " + url + "/openapi",
                "  try:",
                "  curl -s " + url + "/v1/chat/completions -H 'Authorization: Bearer " + properties.apiKey() + "' "
                        + "-H 'Content-Type: application/json' \\",
                "    -d '{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a story\"}],\"max_tokens\":48}'",
                "  Stop with Ctrl-C.");
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
    public synchronized Map<String, ConfigurableApplicationContext> services() {
        return Map.copyOf(running);
    }
}
