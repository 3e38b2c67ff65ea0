package io.speculum.detector;

import io.speculum.service.ServedModel;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Loads the detector-service's model at start; a missing or incompatible file stops the service with a clear error. */
@Configuration(proxyBeanMethods = false)
class DetectorModels {

    @Bean(destroyMethod = "close")
    ServedModel observerModel(DetectorProperties properties) {
        return ServedModel.load("observer", properties.model());
    }
}
