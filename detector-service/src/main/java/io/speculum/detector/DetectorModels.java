package io.speculum.detector;

import io.speculum.detector.calibration.Calibration;
import io.speculum.detector.scoring.CombinedWeights;
import io.speculum.detector.scoring.LearnedWeights;
import io.speculum.detector.scoring.TokenFrequencies;
import io.speculum.service.ServedModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;

/**
 * Loads the detector-service's observer model(s) and data files at start; a missing or incompatible file (another
 * vocabulary, a second observer that does not share the first one's vocabulary) stops the service with a clear error.
 */
@Configuration(proxyBeanMethods = false)
class DetectorModels {

    private static final Logger LOG = LoggerFactory.getLogger(DetectorModels.class);

    @Bean(destroyMethod = "close")
    ServedModel observerModel(DetectorProperties properties) {
        return ServedModel.load("observer", properties.model());
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnProperty("speculum.detector.reference-model.path")
    ServedModel referenceModel(DetectorProperties properties) {
        return ServedModel.load("reference", properties.referenceModel());
    }

    @Bean
    Observers observers(ServedModel observerModel, ObjectProvider<ServedModel> models, DetectorProperties properties) {
        String name = modelName(properties.model());
        ServedModel reference = models.orderedStream().filter(m -> m.role().equals("reference")).findFirst().orElse(null);
        if (reference == null) {
            return Observers.single(observerModel.model(), name);
        }
        return Observers.pair(observerModel.model(), reference.model(), name + "+" + modelName(properties.referenceModel()));
    }

    @Bean(destroyMethod = "close")
    TextScorer textScorer(Observers observers, DetectorProperties properties) {
        return new TextScorer(observers, properties.scorer().toOptions());
    }

    @Bean
    Detector detector(TextScorer scorer, DetectorProperties properties, ResourceLoader resources) {
        Observers observers = scorer.observers();
        String fingerprint = observers.fingerprint().value();
        TokenFrequencies frequencies = read(resources, properties.frequencies(), TokenFrequencies.class);
        if (frequencies != null && !fingerprint.equals(frequencies.vocabularyFingerprint())) {
            throw new IllegalStateException("the frequency table " + properties.frequencies()
                    + " was counted with another vocabulary than the observer's " + observers.fingerprint());
        }
        LearnedWeights learned = read(resources, properties.learned(), LearnedWeights.class);
        if (learned != null && !fingerprint.equals(learned.vocabularyFingerprint())) {
            throw new IllegalStateException("the learned detector " + properties.learned()
                    + " was trained with another vocabulary than the observer's " + observers.fingerprint());
        }
        CombinedWeights combined = read(resources, properties.combined(), CombinedWeights.class);
        if (combined != null && !combined.observers().equals(observers.name())) {
            throw new IllegalStateException("the combined detector " + properties.combined() + " was fitted for observers "
                    + combined.observers() + ", not " + observers.name() + " (its human reference is the observer's own)");
        }
        Calibration calibration = read(resources, properties.calibration(), Calibration.class);
        if (calibration != null && !calibration.observers().equals(observers.name())) {
            LOG.warn("The calibration {} was fitted for observers {}, not {}: scores are served without probabilities or labels",
                    properties.calibration(), calibration.observers(), observers.name());
            calibration = null;
        }
        DetectionMethods methods = new DetectionMethods(observers.paired(), frequencies, learned, combined);
        return new Detector(scorer, methods, calibration,
                new Detector.Limits(properties.limits().maxTexts(), properties.limits().maxTokens()));
    }

    private static <T> T read(ResourceLoader loader, String location, Class<T> type) {
        if (location == null || location.isBlank()) {
            return null;
        }
        Resource resource = loader.getResource(location);
        if (!resource.exists()) {
            throw new IllegalStateException("the detector file " + location + " does not exist");
        }
        try (InputStream in = resource.getInputStream()) {
            return DetectorFiles.read(in, type, location);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + location, e);
        }
    }

    static String modelName(io.speculum.service.ModelSettings settings) {
        String file = settings.path().getFileName().toString();
        return file.endsWith(".gguf") ? file.substring(0, file.length() - 5) : file;
    }
}
