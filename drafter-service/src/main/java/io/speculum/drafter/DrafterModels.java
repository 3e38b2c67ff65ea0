package io.speculum.drafter;

import io.speculum.service.ServedModel;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Loads the drafter-service's model at start; a missing or incompatible file stops the service with a clear error. */
@Configuration(proxyBeanMethods = false)
class DrafterModels {

    @Bean(destroyMethod = "close")
    ServedModel drafterModel(DrafterProperties properties) {
        return ServedModel.load("drafter", properties.model());
    }
}
