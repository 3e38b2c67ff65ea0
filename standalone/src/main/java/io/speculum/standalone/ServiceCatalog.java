package io.speculum.standalone;

import io.speculum.cascade.CascadeRouterApplication;
import io.speculum.detector.DetectorApplication;
import io.speculum.drafter.DrafterApplication;
import io.speculum.gateway.GatewayApplication;
import io.speculum.verifier.VerifierApplication;
import java.util.LinkedHashMap;
import java.util.SequencedMap;
import java.util.function.Supplier;
import org.springframework.boot.builder.SpringApplicationBuilder;

/** The services the standalone can start, by module name. */
final class ServiceCatalog {

    /**
     * A second drafter-service serving only small-model generation (for cascades) with a model of its own; started
     * with {@code speculum.drafter.drafts.enabled=false}, so that it never answers the verifier's draft requests.
     */
    static final String SMALL_DRAFTER = "small-drafter-service";

    private static final SequencedMap<String, Supplier<SpringApplicationBuilder>> SERVICES = new LinkedHashMap<>();

    static {
        SERVICES.put(VerifierApplication.CONFIG_NAME, VerifierApplication::builder);
        SERVICES.put(DrafterApplication.CONFIG_NAME, DrafterApplication::builder);
        SERVICES.put(SMALL_DRAFTER, DrafterApplication::builder);
        SERVICES.put(CascadeRouterApplication.CONFIG_NAME, CascadeRouterApplication::builder);
        SERVICES.put(DetectorApplication.CONFIG_NAME, DetectorApplication::builder);
        SERVICES.put(GatewayApplication.CONFIG_NAME, GatewayApplication::builder);
    }

    private ServiceCatalog() {
    }

    static SpringApplicationBuilder builder(String name) {
        Supplier<SpringApplicationBuilder> builder = SERVICES.get(name);
        if (builder == null) {
            throw new IllegalArgumentException("unknown service '" + name + "' in speculum.standalone.services; known: "
                    + SERVICES.keySet());
        }
        return builder.get();
    }
}
