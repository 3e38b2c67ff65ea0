package io.speculum.verifier;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The verifier-service: reads {@code verifier-service.yml}, so that the standalone can run it beside the other services. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class VerifierApplication {

    public static final String CONFIG_NAME = "verifier-service";

    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(VerifierApplication.class).properties("spring.config.name=" + CONFIG_NAME);
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
