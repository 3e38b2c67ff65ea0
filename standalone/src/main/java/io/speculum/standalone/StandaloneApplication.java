package io.speculum.standalone;

import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;
import sun.misc.Signal;
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
        ConfigurableApplicationContext suite = builder().run(args);
        // Kafka's test kit deletes the broker's directories in a JVM shutdown hook, which runs alongside Spring's
        // and would pull the log directory from under a broker still serving the services' last commits: on Ctrl-C
        // (or a TERM) close the suite first, services then broker, and only then let the JVM's hooks run.
        for (String name : new String[] {"INT", "TERM"}) {
            Signal.handle(new Signal(name), signal -> {
                suite.close();
                System.exit(0); // a requested, clean stop (spring-boot:run would report 130 as a failed build)
            });
        }
    }
}
