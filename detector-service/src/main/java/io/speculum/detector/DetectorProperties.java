package io.speculum.detector;

import io.speculum.service.ModelSettings;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the detector-service ({@code speculum.detector.*}).
 *
 * @param model          the scoring observer
 * @param referenceModel an optional second observer sharing its vocabulary (Binoculars' observer, Fast-DetectGPT's
 *                       sampling model); the service refuses to start when the vocabularies differ
 * @param frequencies    DC-PDD token frequency table (a Spring resource location; empty for none)
 * @param learned        learned detector weights (resource location; empty for none)
 * @param combined       combined detector weights, the default decision (resource location; empty for none)
 * @param calibration    calibration of the scores for this observer setup (resource location; empty for none)
 */
@ConfigurationProperties("speculum.detector")
public record DetectorProperties(
        ModelSettings model,
        ModelSettings referenceModel,
        @DefaultValue Scorer scorer,
        @DefaultValue Limits limits,
        @DefaultValue("") String frequencies,
        @DefaultValue("") String learned,
        @DefaultValue("") String combined,
        @DefaultValue("") String calibration,
        @DefaultValue Requests requests,
        @DefaultValue Stream stream) {

    /** How texts are decoded (see {@link ScorerOptions}). */
    public record Scorer(@DefaultValue("512") int window, @DefaultValue("128") int overlap, @DefaultValue("8") int sequences,
                         @DefaultValue("512") int batchSize, @DefaultValue("0") int threads, @DefaultValue("64") int queue) {

        ScorerOptions toOptions() {
            int cores = Math.max(1, threads > 0 ? threads : Runtime.getRuntime().availableProcessors() / 2);
            return new ScorerOptions(window, overlap, sequences, batchSize, cores, queue);
        }
    }

    /** What one request may carry. */
    public record Limits(@DefaultValue("32") int maxTexts, @DefaultValue("16384") int maxTokens) {
    }

    /** Request/reply on {@code llm.detect}. */
    public record Requests(@DefaultValue("true") boolean enabled, @DefaultValue("speculum-detect") String group) {
    }

    /**
     * Stream-to-stream detection: every record of {@code inputTopic} is a JSON object whose text is at
     * {@code textField} (a JSON Pointer such as {@code /text} or {@code /body/content}); its result goes to
     * {@code outputTopic} under the same key. Records that cannot be read go to the dead-letter topic with the reason.
     */
    public record Stream(@DefaultValue("false") boolean enabled, @DefaultValue("detect.input") String inputTopic,
                         @DefaultValue("/text") String textField, @DefaultValue("detect.scores") String outputTopic,
                         @DefaultValue List<String> methods, @DefaultValue("false") boolean tokens,
                         @DefaultValue("speculum-detect-stream") String group, @DefaultValue("60s") java.time.Duration timeout) {
    }
}
