package io.speculum.standalone;

import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the standalone ({@code speculum.standalone.*}).
 *
 * @param partitions partitions of each topic the broker creates
 * @param services   which services to start, in order
 * @param serviceProperties properties given to every service (e.g. {@code server.port: 0} in tests)
 */
@ConfigurationProperties("speculum.standalone")
public record StandaloneProperties(
        @DefaultValue("3") int partitions,
        @DefaultValue({"verifier-service", "drafter-service", "cascade-router", "detector-service", "gateway"})
        List<String> services,
        Map<String, String> serviceProperties) {

    public StandaloneProperties {
        services = List.copyOf(services);
        serviceProperties = serviceProperties == null ? Map.of() : Map.copyOf(serviceProperties);
    }
}
