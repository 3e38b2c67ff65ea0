package io.speculum.gateway.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.speculum.gateway.GatewayProperties;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import java.util.ArrayList;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * OpenAI's {@code GET /v1/models}: the models this gateway serves, each with its role under {@code speculum}: the
 * verifier (target) models and cascades requests name in {@code model}, and the drafters they may ask for.
 */
@RestController
@SecurityRequirement(name = "bearer")
class ModelsController {

    record ModelEntry(String id, String object, long created, String owned_by,
                      @JsonInclude(JsonInclude.Include.NON_NULL) Role speculum) {
    }

    /**
     * @param role {@code verifier} (usable as {@code model}), {@code cascade} (usable as {@code model}: answered by the
     *             cascade router) or {@code drafter} (usable as {@code speculum.speculation.drafter})
     */
    record Role(String role) {
    }

    record ModelList(String object, List<ModelEntry> data) {
    }

    private final ModelList models;

    ModelsController(GatewayProperties properties) {
        List<ModelEntry> entries = new ArrayList<>();
        properties.models().forEach(id -> entries.add(new ModelEntry(id, "model", 0L, "speculum", new Role("verifier"))));
        properties.cascadeModels().forEach(id -> entries.add(new ModelEntry(id, "model", 0L, "speculum", new Role("cascade"))));
        properties.drafters().forEach(id -> entries.add(new ModelEntry(id, "model", 0L, "speculum", new Role("drafter"))));
        this.models = new ModelList("list", List.copyOf(entries));
    }

    @GetMapping("/v1/models")
    @Operation(summary = "Lists the served models and their roles")
    ModelList models() {
        return models;
    }
}
