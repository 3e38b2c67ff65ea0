package io.speculum.cascade;

import io.speculum.cascade.calibration.CalibrateCommand;
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

    /** Serves cascades; {@code calibrate ...} instead runs a calibration and exits (see {@link CalibrateCommand}). */
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("calibrate")) {
            System.exit(CalibrateCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length)));
        }
        builder().run(args);
    }
}
