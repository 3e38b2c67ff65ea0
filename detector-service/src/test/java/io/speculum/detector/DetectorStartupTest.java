package io.speculum.detector;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;

/** A setup that cannot detect stops the service at start with the reason, instead of serving wrong scores. */
class DetectorStartupTest {

    @Test
    void aSecondObserverWithAnotherVocabularyStopsTheService() {
        assertThatThrownBy(() -> DetectorApplication.builder().web(WebApplicationType.NONE)
                .properties("spring.kafka.bootstrap-servers=localhost:1",
                        "speculum.detector.reference-model.path=" + SharedFiles.model(SharedFiles.TINYSTORIES_656K))
                .run().close())
                .rootCause().isInstanceOf(DetectionException.class).hasMessageContaining("do not share a vocabulary");
    }

    @Test
    void aFrequencyTableOfAnotherVocabularyStopsTheService() {
        assertThatThrownBy(() -> DetectorApplication.builder().web(WebApplicationType.NONE)
                .properties("spring.kafka.bootstrap-servers=localhost:1")
                .run("--speculum.detector.model.path=" + SharedFiles.model(SharedFiles.TINYSTORIES_656K),
                        "--speculum.detector.calibration=")
                .close())
                .rootCause().hasMessageContaining("another vocabulary");
    }
}
