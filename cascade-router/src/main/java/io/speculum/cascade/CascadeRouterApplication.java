package io.speculum.cascade;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The cascade-router: reads {@code cascade-router.yml}, so that the standalone can run it beside the other services. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class CascadeRouterApplication {

    public static final String CONFIG_NAME = "cascade-router";

    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(CascadeRouterApplication.class).properties("spring.config.name=" + CONFIG_NAME);
    }

    public static void main(String[] args) {
        builder().run(args);
    }
}
