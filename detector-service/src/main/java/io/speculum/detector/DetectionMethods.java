package io.speculum.detector;

import io.speculum.detector.scoring.Binoculars;
import io.speculum.detector.scoring.CombinedDetector;
import io.speculum.detector.scoring.CombinedWeights;
import io.speculum.detector.scoring.DcPdd;
import io.speculum.detector.scoring.FastDetectGpt;
import io.speculum.detector.scoring.LearnedDetector;
import io.speculum.detector.scoring.LearnedWeights;
import io.speculum.detector.scoring.OpeningScan;
import io.speculum.detector.scoring.MeanEntropy;
import io.speculum.detector.scoring.MeanLogLikelihood;
import io.speculum.detector.scoring.MeanLogRank;
import io.speculum.detector.scoring.MinKPlusPlus;
import io.speculum.detector.scoring.MinKProb;
import io.speculum.detector.scoring.TextScore;
import io.speculum.detector.scoring.TokenFrequencies;
import io.speculum.protocol.detection.DetectionError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The methods a detector setup can run, by name. Every method is known; some need what this setup may lack (a second
 * observer, a frequency table, learned weights) and are then unavailable, with the reason.
 */
public final class DetectionMethods {

    /** Every method name, in the order replies list them by default. */
    public static final List<String> ALL = List.of(MeanLogLikelihood.NAME, MeanLogRank.NAME, MeanEntropy.NAME, MinKProb.NAME,
            MinKPlusPlus.NAME, FastDetectGpt.NAME, FastDetectGpt.SAMPLING_NAME, Binoculars.NAME, DcPdd.NAME, LearnedDetector.NAME, CombinedDetector.NAME,
            OpeningScan.nameOf(FastDetectGpt.NAME), OpeningScan.nameOf(Binoculars.NAME));

    private final Map<String, TextScore> available = new LinkedHashMap<>();
    private final Map<String, String> unavailable = new LinkedHashMap<>();

    public DetectionMethods(boolean paired, TokenFrequencies frequencies, LearnedWeights learned) {
        this(paired, frequencies, learned, null);
    }

    /** @param combined weights of the {@code combined} method (null: unavailable); the methods it combines must be available */
    public DetectionMethods(boolean paired, TokenFrequencies frequencies, LearnedWeights learned, CombinedWeights combined) {
        add(new MeanLogLikelihood());
        add(new MeanLogRank());
        add(new MeanEntropy());
        add(new MinKProb());
        add(new MinKPlusPlus());
        add(FastDetectGpt.whiteBox());
        if (paired) {
            add(FastDetectGpt.withSamplingModel());
        } else {
            unavailable.put(FastDetectGpt.SAMPLING_NAME, "it needs a sampling model (speculum.detector.reference-model)");
        }
        add(new Binoculars());
        if (frequencies != null) {
            add(new DcPdd(frequencies));
        } else {
            unavailable.put(DcPdd.NAME, "no token frequency table is configured (speculum.detector.frequencies)");
        }
        if (learned != null) {
            add(new LearnedDetector(learned));
        } else {
            unavailable.put(LearnedDetector.NAME, "no learned detector is configured (speculum.detector.learned)");
        }
        if (combined != null) {
            List<String> missing = combined.methods().stream().filter(m -> !available.containsKey(m)).toList();
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException("the combined detector needs " + missing + ", which this setup cannot run");
            }
            add(new CombinedDetector(combined, combined.methods().stream().map(available::get).toList()));
        } else {
            unavailable.put(CombinedDetector.NAME, "no combined detector is configured (speculum.detector.combined)");
        }
        add(new OpeningScan(FastDetectGpt.whiteBox()));
        add(new OpeningScan(new Binoculars()));
    }

    private void add(TextScore method) {
        available.put(method.name(), method);
    }

    public List<String> availableNames() {
        return List.copyOf(available.keySet());
    }

    public TextScore get(String name) {
        TextScore method = available.get(name);
        if (method == null) {
            throw new IllegalArgumentException("method " + name + " is not available");
        }
        return method;
    }

    /** The methods {@code names} asks for (every available one when empty), or a clear error. */
    public List<TextScore> resolve(List<String> names) {
        if (names.isEmpty()) {
            return List.copyOf(available.values());
        }
        List<TextScore> out = new ArrayList<>();
        for (String name : names) {
            if (available.containsKey(name)) {
                if (out.stream().noneMatch(m -> m.name().equals(name))) {
                    out.add(available.get(name));
                }
            } else if (unavailable.containsKey(name)) {
                throw new DetectionException(DetectionError.Code.METHOD_UNAVAILABLE, "method " + name
                        + " is not available here: " + unavailable.get(name));
            } else {
                throw new DetectionException(DetectionError.Code.UNKNOWN_METHOD, "unknown method '" + name + "'; known: "
                        + String.join(", ", ALL));
            }
        }
        return out;
    }
}
