package io.speculum.verifier;

import io.speculum.service.ServedModel;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Loads the verifier-service's model at start; a missing or incompatible file stops the service with a clear error. */
@Configuration(proxyBeanMethods = false)
class VerifierModels {

    @Bean(destroyMethod = "close")
    ServedModel targetModel(VerifierProperties properties) {
        return ServedModel.load("target", properties.model());
    }
}
