package io.speculum.verifier;

import io.speculum.service.ModelSettings;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** Settings of the verifier-service ({@code speculum.verifier.*}). */
@ConfigurationProperties("speculum.verifier")
public record VerifierProperties(ModelSettings model) {
}
