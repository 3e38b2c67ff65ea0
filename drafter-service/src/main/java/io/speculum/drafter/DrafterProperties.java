package io.speculum.drafter;

import io.speculum.service.ModelSettings;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** Settings of the drafter-service ({@code speculum.drafter.*}). */
@ConfigurationProperties("speculum.drafter")
public record DrafterProperties(ModelSettings model) {
}
