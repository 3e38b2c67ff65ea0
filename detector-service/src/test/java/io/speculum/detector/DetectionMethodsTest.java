package io.speculum.detector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.speculum.detector.scoring.CombinedWeights;
import io.speculum.detector.scoring.LearnedWeights;
import io.speculum.detector.scoring.TextScore;
import io.speculum.detector.scoring.TokenFeatures;
import io.speculum.detector.scoring.TokenFrequencies;
import io.speculum.protocol.detection.DetectionError;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The registry of detection methods: every method found by its name, the unavailable ones with a reason, unknown names refused. */
class DetectionMethodsTest {

    private static final TokenFrequencies FREQUENCIES = new TokenFrequencies("fp", "test", 4, new long[] {1, 1, 1, 1});
    private static final LearnedWeights LEARNED = new LearnedWeights("fp", "test", TokenFeatures.NAMES, ones(), ones(), ones(), ones(), 0);
    private static final CombinedWeights COMBINED = new CombinedWeights("fp", "one", "test", List.of("log-likelihood", "binoculars"),
            List.of(new CombinedWeights.Moments(64, new double[] {0, 0}, new double[] {1, 1})), new double[] {1, 1}, new double[] {0, 0}, 0);

    private static double[] ones() {
        double[] v = new double[TokenFeatures.NAMES.size()];
        Arrays.fill(v, 1);
        return v;
    }

    @Test
    void namesAndTheirOrderAreThoseRequestsAndRepliesUse() {
        assertThat(DetectionMethods.ALL).containsExactly("log-likelihood", "log-rank", "entropy", "min-k", "min-k++", "fast-detectgpt",
                "fast-detectgpt-sampling", "binoculars", "dc-pdd", "learned", "combined", "fast-detectgpt-scan", "binoculars-scan");
    }

    @Test
    void everyRegisteredMethodIsFoundByNameWhereTheSetupHasWhatItNeeds() {
        DetectionMethods methods = new DetectionMethods(true, FREQUENCIES, LEARNED, COMBINED);
        assertThat(methods.availableNames()).containsExactlyElementsOf(DetectionMethods.ALL);
        for (String name : DetectionMethods.ALL) {
            assertThat(methods.get(name).name()).isEqualTo(name);
            assertThat(methods.resolve(List.of(name))).extracting(TextScore::name).containsExactly(name);
        }
        assertThat(methods.resolve(List.of())).extracting(TextScore::name).containsExactlyElementsOf(DetectionMethods.ALL);
        assertThat(methods.resolve(List.of("entropy", "min-k", "entropy"))).extracting(TextScore::name).containsExactly("entropy", "min-k");
    }

    @Test
    void methodsASetupCannotRunAreUnavailableWithTheReason() {
        DetectionMethods methods = new DetectionMethods(false, null, null);
        assertThat(methods.availableNames()).containsExactly("log-likelihood", "log-rank", "entropy", "min-k", "min-k++", "fast-detectgpt",
                "binoculars", "fast-detectgpt-scan", "binoculars-scan");
        for (String[] missing : new String[][] {{"fast-detectgpt-sampling", "sampling model"}, {"dc-pdd", "speculum.detector.frequencies"},
            {"learned", "speculum.detector.learned"}, {"combined", "speculum.detector.combined"}}) {
            assertThatThrownBy(() -> methods.resolve(List.of(missing[0]))).isInstanceOfSatisfying(DetectionException.class,
                    e -> assertThat(e.code()).isEqualTo(DetectionError.Code.METHOD_UNAVAILABLE))
                    .hasMessageContaining("method " + missing[0] + " is not available here: ").hasMessageContaining(missing[1]);
            assertThatThrownBy(() -> methods.get(missing[0])).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("method " + missing[0] + " is not available");
        }
    }

    @Test
    void unknownNamesAreRefusedNamingEveryKnownMethod() {
        DetectionMethods methods = new DetectionMethods(true, FREQUENCIES, LEARNED, COMBINED);
        assertThatThrownBy(() -> methods.resolve(List.of("entropy", "gltr"))).isInstanceOfSatisfying(DetectionException.class,
                e -> assertThat(e.code()).isEqualTo(DetectionError.Code.UNKNOWN_METHOD))
                .hasMessage("unknown method 'gltr'; known: " + String.join(", ", DetectionMethods.ALL));
    }

    @Test
    void aCombinationOverMethodsTheSetupCannotRunIsRefused() {
        CombinedWeights overDcPdd = new CombinedWeights("fp", "one", "test", List.of("dc-pdd"),
                List.of(new CombinedWeights.Moments(64, new double[] {0}, new double[] {1})), new double[] {1}, new double[] {0}, 0);
        assertThatThrownBy(() -> new DetectionMethods(false, null, null, overDcPdd)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the combined detector needs [dc-pdd], which this setup cannot run");
        assertThat(new DetectionMethods(false, FREQUENCIES, null, overDcPdd).get("combined").name()).isEqualTo("combined");
    }
}
