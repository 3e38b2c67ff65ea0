package io.speculum.gateway;

import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** OpenAI's {@code GET /v1/models}: the models this gateway serves. */
@RestController
class ModelsController {

    record ModelEntry(String id, String object, long created, String owned_by) {
    }

    record ModelList(String object, List<ModelEntry> data) {
    }

    private final ModelList models;

    ModelsController(GatewayProperties properties) {
        this.models = new ModelList("list", properties.models().stream()
                .map(id -> new ModelEntry(id, "model", 0L, "speculum"))
                .toList());
    }

    @GetMapping("/v1/models")
    ModelList models() {
        return models;
    }
}
