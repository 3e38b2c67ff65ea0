package io.speculum.standalone;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The embedded default: a real Kafka broker (KRaft) in this JVM, then every service as its own Spring application
 * context against it, each with its own configuration file and port, exactly as they run apart.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class StandaloneApplication {

    public static final String CONFIG_NAME = "standalone";

    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(StandaloneApplication.class)
                .web(WebApplicationType.NONE)
                .properties("spring.config.name=" + CONFIG_NAME);
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
