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

    /** Serves detection; {@code dataset|frequencies|train|calibrate|evaluate ...} instead runs that command and exits. */
    public static void main(String[] args) {
        if (args.length > 0 && io.speculum.detector.command.DetectorCommands.NAMES.contains(args[0])) {
            System.exit(io.speculum.detector.command.DetectorCommands.run(args));
        }
        builder().run(args);
    }
}
