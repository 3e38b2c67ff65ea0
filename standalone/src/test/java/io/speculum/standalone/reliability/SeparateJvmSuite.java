package io.speculum.standalone.reliability;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * The suite as separate JVMs against one broker: verifier-service, drafter-service and gateway each in a
 * {@link ServiceProcess} of its own (so any of them can be killed the hard way), the broker a real KRaft broker in the
 * harness's JVM, or one given by its bootstrap servers (a {@link KafkaBrokerProcess} that a scenario restarts).
 * Reusable by any fault scenario: {@link #service(String)} names them.
 */
public final class SeparateJvmSuite implements AutoCloseable {

    public static final String VERIFIER = "verifier-service";
    public static final String DRAFTER = "drafter-service";
    public static final String GATEWAY = "gateway";

    /** The broker in this JVM, or null when the suite runs against an external one. */
    private final EmbeddedKafkaKraftBroker broker;
    private final String bootstrapServers;
    private final Map<String, ServiceProcess> services = new LinkedHashMap<>();
    private final String apiKey;
    private final int apiPort = ServiceProcess.freePort();

    private SeparateJvmSuite(EmbeddedKafkaKraftBroker broker, String bootstrapServers, String apiKey) {
        this.broker = broker;
        this.bootstrapServers = bootstrapServers;
        this.apiKey = apiKey;
    }

    /**
     * Starts the broker and the three services and waits until the gateway is ready (a verifier answers).
     *
     * @param extra per service, properties on top of the defaults (e.g. the verifier's session limits)
     */
    public static SeparateJvmSuite start(Path logDir, String apiKey, Map<String, Map<String, String>> extra) {
        return start(logDir, apiKey, extra, 1);
    }

    /**
     * The same with {@code verifiers} verifier-service replicas (one consumer group): the first is {@link #VERIFIER},
     * the others {@code verifier-service-2}, … ({@link #verifiers()}), each with the verifier's extra properties.
     */
    public static SeparateJvmSuite start(Path logDir, String apiKey, Map<String, Map<String, String>> extra, int verifiers) {
        EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 3);
        broker.afterPropertiesSet();
        return start(new SeparateJvmSuite(broker, broker.getBrokersAsString(), apiKey), logDir, extra, verifiers);
    }

    /** As {@link #start(Path, String, Map)}, against a broker that runs elsewhere (and is not stopped by {@link #close()}). */
    public static SeparateJvmSuite startAgainst(String bootstrapServers, Path logDir, String apiKey, Map<String, Map<String, String>> extra) {
        return start(new SeparateJvmSuite(null, bootstrapServers, apiKey), logDir, extra, 1);
    }

    private static SeparateJvmSuite start(SeparateJvmSuite suite, Path logDir, Map<String, Map<String, String>> extra, int verifiers) {
        try {
            String shared = System.getProperty("speculum.shared.dir", "../shared");
            Map<String, String> common = Map.of("spring.kafka.bootstrap-servers", suite.bootstrapServers,
                    "speculum.shared.dir", shared, "logging.level.org.apache.kafka", "warn", "logging.level.kafka", "warn");
            suite.add(VERIFIER, "io.speculum.verifier.VerifierApplication", common, extra, Map.of(), logDir);
            for (int replica = 2; replica <= verifiers; replica++) {
                suite.add(VERIFIER + "-" + replica, "io.speculum.verifier.VerifierApplication", common,
                        Map.of(VERIFIER + "-" + replica, extra.getOrDefault(VERIFIER, Map.of())), Map.of(), logDir);
            }
            suite.add(DRAFTER, "io.speculum.drafter.DrafterApplication", common, extra, Map.of(), logDir);
            int management = ServiceProcess.freePort();
            suite.add(GATEWAY, "io.speculum.gateway.GatewayApplication", common, extra, Map.of(
                    "management.server.port", String.valueOf(management),
                    "speculum.gateway.api-keys", "sha256:" + sha256(suite.apiKey),
                    "resilience4j.ratelimiter.configs.per-api-key.limit-for-period", "1000000"), logDir);
            suite.services.values().forEach(ServiceProcess::start);
            for (ServiceProcess verifier : suite.verifiers()) {
                verifier.awaitUp("/actuator/health", Duration.ofSeconds(120));
            }
            suite.service(DRAFTER).awaitUp("/actuator/health", Duration.ofSeconds(120));
            suite.service(GATEWAY).awaitUp("/actuator/health/readiness", Duration.ofSeconds(120));
            return suite;
        } catch (RuntimeException e) {
            suite.close();
            throw e;
        }
    }

    private void add(String name, String mainClass, Map<String, String> common, Map<String, Map<String, String>> extra,
                     Map<String, String> own, Path logDir) {
        Map<String, String> properties = new LinkedHashMap<>(common);
        properties.putAll(own);
        properties.putAll(extra.getOrDefault(name, Map.of()));
        if (name.equals(GATEWAY)) {
            properties.put("server.port", String.valueOf(apiPort));
        }
        services.put(name, new ServiceProcess(name, mainClass, properties, logDir));
    }

    public ServiceProcess service(String name) {
        return services.get(name);
    }

    /** The verifier-service replicas, {@link #VERIFIER} first. */
    public java.util.List<ServiceProcess> verifiers() {
        return services.entrySet().stream().filter(e -> e.getKey().startsWith(VERIFIER)).map(Map.Entry::getValue).toList();
    }

    public String api() {
        return "http://localhost:" + apiPort;
    }

    public String apiKey() {
        return apiKey;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public void close() {
        services.values().stream().toList().reversed().forEach(ServiceProcess::close);
        if (broker != null) {
            broker.destroy();
        }
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
