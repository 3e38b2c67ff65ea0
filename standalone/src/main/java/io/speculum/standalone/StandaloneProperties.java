package io.speculum.standalone;

import io.speculum.llama.WeightFormat;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the standalone ({@code speculum.standalone.*}).
 *
 * @param partitions        partitions of each topic the broker creates
 * @param services          which services to start, in order
 * @param serviceProperties properties given to every service (e.g. {@code server.port: 0} in tests)
 * @param models            the GGUF files per role
 * @param apiKey            the gateway's API key for this local suite (the gateway itself only ever sees its hash)
 */
@ConfigurationProperties("speculum.standalone")
public record StandaloneProperties(
        @DefaultValue("3") int partitions,
        @DefaultValue({"verifier-service", "drafter-service", "gateway"}) List<String> services,
        Map<String, String> serviceProperties,
        @DefaultValue Models models,
        @DefaultValue("speculum-local") String apiKey) {

    public StandaloneProperties {
        services = List.copyOf(services);
        serviceProperties = serviceProperties == null ? Map.of() : Map.copyOf(serviceProperties);
    }

    /**
     * @param target        the verifier's model
     * @param drafter       the drafter's model; unset: derived from the target ({@code drafterFormat}) into {@code cacheDir}
     * @param drafterFormat weight format of the derived drafter
     * @param cacheDir      where derived drafters are kept between runs
     * @param name          the name clients use for the target ({@code model}); blank: its file name without .gguf
     * @param small         the cascade's small model (served by {@code small-drafter-service}; the target is the large
     *                      one): a model with its own vocabulary, so it never agrees with the target by construction
     * @param smallPromptSuffix appended to prompts for the small model only (TinyStories-656K's BPE wants a space)
     * @param cascade       the model name the gateway routes to the cascade router
     */
    public record Models(
            @DefaultValue("${speculum.shared.dir:../shared}/models/stories260K.gguf") Path target,
            String name,
            Path drafter,
            @DefaultValue("Q8_0") WeightFormat drafterFormat,
            @DefaultValue("${java.io.tmpdir}/speculum-cache") Path cacheDir,
            @DefaultValue("${speculum.shared.dir:../shared}/models/TinyStories-656K-f32.gguf") Path small,
            @DefaultValue(" ") String smallPromptSuffix,
            @DefaultValue("cascade") String cascade) {

        String smallName() {
            return small.getFileName().toString().replaceFirst("\\.gguf$", "");
        }

        String targetName() {
            return name != null && !name.isBlank() ? name : target.getFileName().toString().replaceFirst("\\.gguf$", "");
        }
    }
}
