package io.speculum.drafter;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The drafter-service: reads {@code drafter-service.yml}, so that the standalone can run it beside the other services. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class DrafterApplication {

    public static final String CONFIG_NAME = "drafter-service";

    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(DrafterApplication.class).properties("spring.config.name=" + CONFIG_NAME);
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
