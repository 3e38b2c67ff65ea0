package io.speculum.detector;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The detector-service: reads {@code detector-service.yml}, so that the standalone can run it beside the other services. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class DetectorApplication {

    public static final String CONFIG_NAME = "detector-service";

    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(DetectorApplication.class).properties("spring.config.name=" + CONFIG_NAME);
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
