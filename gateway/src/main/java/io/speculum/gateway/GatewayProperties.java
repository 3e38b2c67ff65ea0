package io.speculum.gateway;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the gateway ({@code speculum.gateway.*}).
 *
 * @param models the model names clients may ask for, the first being the default
 */
@ConfigurationProperties("speculum.gateway")
public record GatewayProperties(@DefaultValue("stories260K") List<String> models) {

    public GatewayProperties {
        models = List.copyOf(models);
        if (models.isEmpty()) {
            throw new IllegalArgumentException("speculum.gateway.models must name at least one model");
        }
    }
}
