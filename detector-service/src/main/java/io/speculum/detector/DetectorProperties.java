package io.speculum.detector;

import io.speculum.service.ModelSettings;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** Settings of the detector-service ({@code speculum.detector.*}). */
@ConfigurationProperties("speculum.detector")
public record DetectorProperties(ModelSettings model) {
}
