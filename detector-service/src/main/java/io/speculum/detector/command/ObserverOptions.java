package io.speculum.detector.command;

import io.speculum.detector.DetectionMethods;
import io.speculum.detector.DetectorFiles;
import io.speculum.detector.Observers;
import io.speculum.detector.ScorerOptions;
import io.speculum.detector.scoring.CombinedWeights;
import io.speculum.detector.scoring.LearnedWeights;
import io.speculum.detector.scoring.TokenFrequencies;
import io.speculum.llama.Model;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The observer(s) a command scores with, and the optional files of the methods that need them. */
final class ObserverOptions {

    @Option(names = "--observer", required = true, description = "the scoring model's GGUF")
    Path observer;

    @Option(names = "--reference", description = "a second observer sharing the vocabulary (Binoculars, Fast-DetectGPT sampling model)")
    Path reference;

    @Option(names = "--frequencies", description = "token frequency table for dc-pdd (from the frequencies command)")
    Path frequencies;

    @Option(names = "--learned", description = "learned detector weights (from the train command)")
    Path learned;

    @Option(names = "--combined", description = "combined detector weights (from the combine command)")
    Path combined;

    @Option(names = "--threads", defaultValue = "2", description = "compute threads (default ${DEFAULT-VALUE})")
    int threads;

    static String name(Path model) {
        String file = model.getFileName().toString();
        return file.endsWith(".gguf") ? file.substring(0, file.length() - 5) : file;
    }

    /** Opens the observer models; close what it returns. */
    Loaded load() {
        Model scoring = Model.load(observer);
        Model second = reference == null ? null : Model.load(reference);
        try {
            Observers observers = second == null ? Observers.single(scoring, name(observer))
                    : Observers.pair(scoring, second, name(observer) + "+" + name(reference));
            return new Loaded(scoring, second, observers);
        } catch (RuntimeException e) {
            if (second != null) {
                second.close();
            }
            scoring.close();
            throw e;
        }
    }

    ScorerOptions scorerOptions() {
        return new ScorerOptions(512, 128, 8, 512, threads, 64);
    }

    DetectionMethods methods(Observers observers) {
        TokenFrequencies table = frequencies == null ? null : DetectorFiles.read(frequencies, TokenFrequencies.class);
        LearnedWeights weights = learned == null ? null : DetectorFiles.read(learned, LearnedWeights.class);
        String fingerprint = observers.fingerprint().value();
        if (table != null && !fingerprint.equals(table.vocabularyFingerprint())) {
            throw new IllegalArgumentException(frequencies + " was counted with another vocabulary than " + observer);
        }
        if (weights != null && !fingerprint.equals(weights.vocabularyFingerprint())) {
            throw new IllegalArgumentException(learned + " was trained with another vocabulary than " + observer);
        }
        CombinedWeights combination = combined == null ? null : DetectorFiles.read(combined, CombinedWeights.class);
        if (combination != null && !observers.name().equals(combination.observers())) {
            throw new IllegalArgumentException(combined + " was fitted for observers " + combination.observers() + ", not " + observers.name());
        }
        return new DetectionMethods(observers.paired(), table, weights, combination);
    }

    record Loaded(Model scoring, Model reference, Observers observers) implements AutoCloseable {
        @Override
        public void close() {
            if (reference != null) {
                reference.close();
            }
            scoring.close();
        }
    }
}
