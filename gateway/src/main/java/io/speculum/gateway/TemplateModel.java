package io.speculum.gateway;

import io.speculum.llama.Model;
import io.speculum.llama.ModelOptions;
import java.nio.file.Files;
import java.util.Optional;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * The GGUF named by {@code speculum.gateway.template-model}, read vocabulary-only (no weights): its chat template
 * renders chats, and its vocabulary tokenizes for {@code /tokenize}. Point it at the served verifier model.
 */
@Component
public class TemplateModel implements DisposableBean {

    private final Model model;

    public TemplateModel(GatewayProperties properties) {
        if (properties.templateModel() == null) {
            this.model = null;
            return;
        }
        if (!Files.isRegularFile(properties.templateModel())) {
            throw new IllegalStateException("speculum.gateway.template-model " + properties.templateModel().toAbsolutePath()
                    + " does not exist");
        }
        this.model = Model.load(ModelOptions.vocabularyOnly(properties.templateModel()));
    }

    public Optional<Model> model() {
        return Optional.ofNullable(model);
    }

    @Override
    public void destroy() {
        if (model != null) {
            model.close();
        }
    }
}
