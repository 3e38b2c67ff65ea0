package io.speculum.standalone;

import io.speculum.cascade.CascadeRouterApplication;
import io.speculum.detector.DetectorApplication;
import io.speculum.drafter.DrafterApplication;
import io.speculum.gateway.GatewayApplication;
import io.speculum.verifier.VerifierApplication;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;
import java.util.function.Supplier;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;

/** The services the standalone can start, by module name. */
final class ServiceCatalog {

    /** A second drafter-service serving only small-model generation (for cascades) with a model of its own. */
    static final String SMALL_DRAFTER = "small-drafter-service";
    /** The one listener of the small drafter: its drafting listener must not answer the verifier's draft requests. */
    static final String SMALL_GENERATE_LISTENER = "drafter-small-generate";

    /**
     * @param listeners the Kafka listeners to start once the context runs, for a service started with
     *                  {@code spring.kafka.listener.auto-startup=false}; empty: the service starts its own
     */
    private record Service(Supplier<SpringApplicationBuilder> builder, List<String> listeners) {
    }

    private static final SequencedMap<String, Service> SERVICES = new LinkedHashMap<>();

    static {
        SERVICES.put(VerifierApplication.CONFIG_NAME, new Service(VerifierApplication::builder, List.of()));
        SERVICES.put(DrafterApplication.CONFIG_NAME, new Service(DrafterApplication::builder, List.of()));
        SERVICES.put(SMALL_DRAFTER, new Service(DrafterApplication::builder, List.of(SMALL_GENERATE_LISTENER)));
        SERVICES.put(CascadeRouterApplication.CONFIG_NAME, new Service(CascadeRouterApplication::builder, List.of()));
        SERVICES.put(DetectorApplication.CONFIG_NAME, new Service(DetectorApplication::builder, List.of()));
        SERVICES.put(GatewayApplication.CONFIG_NAME, new Service(GatewayApplication::builder, List.of()));
    }

    private ServiceCatalog() {
    }

    static SpringApplicationBuilder builder(String name) {
        return service(name).builder().get();
    }

    /** Starts the listeners a service leaves stopped (see {@link Service#listeners()}). */
    static void startListeners(String name, ConfigurableApplicationContext context) {
        List<String> listeners = service(name).listeners();
        if (listeners.isEmpty()) {
            return;
        }
        KafkaListenerEndpointRegistry registry = context.getBean(KafkaListenerEndpointRegistry.class);
        for (String id : listeners) {
            registry.getListenerContainer(id).start();
        }
    }

    /** Whether the service's listeners wait for {@link #startListeners}. */
    static boolean startsListenersItself(String name) {
        return service(name).listeners().isEmpty();
    }

    private static Service service(String name) {
        Service service = SERVICES.get(name);
        if (service == null) {
            throw new IllegalArgumentException("unknown service '" + name + "' in speculum.standalone.services; known: "
                    + SERVICES.keySet());
        }
        return service;
    }
}
