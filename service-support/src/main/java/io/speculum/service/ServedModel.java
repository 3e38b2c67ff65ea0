package io.speculum.service;

import io.speculum.llama.Model;
import io.speculum.llama.ModelMetadata;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model a service has loaded for one role ("target", "drafter", "observer"…), closed with the application context.
 * Its description is what health endpoints show and what peers compare: above all the vocabulary fingerprint.
 */
public final class ServedModel implements AutoCloseable {

    private final String role;
    private final ModelSettings settings;
    private final Model model;

    private ServedModel(String role, ModelSettings settings, Model model) {
        this.role = role;
        this.settings = settings;
        this.model = model;
    }

    /** Loads the model, failing the service's start with the path in the message when the file is missing. */
    public static ServedModel load(String role, ModelSettings settings) {
        if (!Files.isRegularFile(settings.path())) {
            throw new IllegalStateException("the " + role + " model " + settings.path().toAbsolutePath()
                    + " does not exist; set its path in the service's configuration");
        }
        return new ServedModel(role, settings, Model.load(settings.toOptions()));
    }

    public String role() {
        return role;
    }

    public Model model() {
        return model;
    }

    public boolean isOpen() {
        return !model.isClosed();
    }

    /** Metadata worth showing: file, architecture, size, context, vocabulary and its fingerprint. */
    public Map<String, Object> describe() {
        ModelMetadata metadata = model.metadata();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("path", settings.path().toAbsolutePath().normalize().toString());
        details.put("architecture", metadata.architecture());
        details.put("name", metadata.name());
        details.put("parameters", metadata.parameterCount());
        details.put("trainingContext", metadata.trainingContext());
        details.put("vocabularySize", metadata.vocabularySize());
        details.put("vocabularyType", metadata.vocabularyType().name());
        details.put("vocabularyFingerprint", model.vocabulary().fingerprint().value());
        details.put("gpuLayers", settings.gpuLayers());
        return details;
    }

    @Override
    public void close() {
        model.close();
    }
}
