package io.speculum.detector;

import io.speculum.detector.scoring.Binoculars;
import io.speculum.detector.scoring.CombinedDetector;
import io.speculum.detector.scoring.CombinedWeights;
import io.speculum.detector.scoring.DcPdd;
import io.speculum.detector.scoring.FastDetectGpt;
import io.speculum.detector.scoring.LearnedDetector;
import io.speculum.detector.scoring.LearnedWeights;
import io.speculum.detector.scoring.MeanEntropy;
import io.speculum.detector.scoring.MeanLogLikelihood;
import io.speculum.detector.scoring.MeanLogRank;
import io.speculum.detector.scoring.MinKPlusPlus;
import io.speculum.detector.scoring.MinKProb;
import io.speculum.detector.scoring.OpeningScan;
import io.speculum.detector.scoring.TextScore;
import io.speculum.detector.scoring.TokenFrequencies;
import io.speculum.protocol.detection.DetectionError;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The methods a detector setup can run, by name. Every method is known; some need what this setup may lack (a second
 * observer, a frequency table, learned weights) and are then unavailable, with the reason. A method is one
 * {@link TextScore} class and one line in {@link #REGISTRY}.
 */
public final class DetectionMethods {

    /** What a setup offers the methods: a second observer, a frequency table, learned and combined weights (each may lack). */
    private record Setup(boolean paired, TokenFrequencies frequencies, LearnedWeights learned, CombinedWeights combined) {
    }

    /** Builds a method from the setup and the methods registered before it, or null when the setup lacks what it needs. */
    @FunctionalInterface
    private interface Factory {
        TextScore build(Setup setup, Map<String, TextScore> earlier);
    }

    /** One method: its name, how it is built, and why it is unavailable when the factory gives null. */
    private record Registration(String name, Factory factory, String unavailable) {

        static Registration always(String name, Supplier<TextScore> method) {
            return new Registration(name, (setup, earlier) -> method.get(), null);
        }

        static Registration needs(String name, String unavailable, Factory factory) {
            return new Registration(name, factory, unavailable);
        }
    }

    /** Every method, once, in the order replies list them by default. */
    private static final List<Registration> REGISTRY = List.of(
            Registration.always(MeanLogLikelihood.NAME, MeanLogLikelihood::new),
            Registration.always(MeanLogRank.NAME, MeanLogRank::new),
            Registration.always(MeanEntropy.NAME, MeanEntropy::new),
            Registration.always(MinKProb.NAME, MinKProb::new),
            Registration.always(MinKPlusPlus.NAME, MinKPlusPlus::new),
            Registration.always(FastDetectGpt.NAME, FastDetectGpt::whiteBox),
            Registration.needs(FastDetectGpt.SAMPLING_NAME, "it needs a sampling model (speculum.detector.reference-model)",
                    (setup, earlier) -> setup.paired() ? FastDetectGpt.withSamplingModel() : null),
            Registration.always(Binoculars.NAME, Binoculars::new),
            Registration.needs(DcPdd.NAME, "no token frequency table is configured (speculum.detector.frequencies)",
                    (setup, earlier) -> setup.frequencies() == null ? null : new DcPdd(setup.frequencies())),
            Registration.needs(LearnedDetector.NAME, "no learned detector is configured (speculum.detector.learned)",
                    (setup, earlier) -> setup.learned() == null ? null : new LearnedDetector(setup.learned())),
            Registration.needs(CombinedDetector.NAME, "no combined detector is configured (speculum.detector.combined)",
                    (setup, earlier) -> setup.combined() == null ? null : CombinedDetector.of(setup.combined(), earlier)),
            Registration.always(OpeningScan.nameOf(FastDetectGpt.NAME), () -> new OpeningScan(FastDetectGpt.whiteBox())),
            Registration.always(OpeningScan.nameOf(Binoculars.NAME), () -> new OpeningScan(new Binoculars())));

    /** Every method name, in the order replies list them by default. */
    public static final List<String> ALL = REGISTRY.stream().map(Registration::name).toList();

    private final Map<String, TextScore> available = new LinkedHashMap<>();
    private final Map<String, String> unavailable = new LinkedHashMap<>();

    public DetectionMethods(boolean paired, TokenFrequencies frequencies, LearnedWeights learned) {
        this(paired, frequencies, learned, null);
    }

    /** @param combined weights of the {@code combined} method (null: unavailable); the methods it combines must be available */
    public DetectionMethods(boolean paired, TokenFrequencies frequencies, LearnedWeights learned, CombinedWeights combined) {
        Setup setup = new Setup(paired, frequencies, learned, combined);
        for (Registration registration : REGISTRY) {
            TextScore method = registration.factory().build(setup, Collections.unmodifiableMap(available));
            if (method == null) {
                unavailable.put(registration.name(), registration.unavailable());
            } else if (method.name().equals(registration.name())) {
                available.put(method.name(), method);
            } else {
                throw new IllegalStateException("the method registered as " + registration.name() + " is named " + method.name());
            }
        }
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
