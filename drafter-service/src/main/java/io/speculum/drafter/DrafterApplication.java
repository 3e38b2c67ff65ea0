package io.speculum.drafter;

import io.speculum.drafter.command.DeriveCommand;
import io.speculum.drafter.command.PadCommand;
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

    /**
     * Serves drafts; {@code derive ...} instead writes a derived drafter and exits (see {@link DeriveCommand}), and
     * {@code pad ...} a cost-padded target (see {@link PadCommand}).
     */
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("derive")) {
            System.exit(DeriveCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length)));
        }
        if (args.length > 0 && args[0].equals("pad")) {
            System.exit(PadCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length)));
        }
        builder().run(args);
    }
}
