package io.speculum.gateway;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the gateway ({@code speculum.gateway.*}).
 *
 * @param models           the target model names clients may ask for (served by verifiers), the first being the default
 * @param drafters         drafter names listed by {@code GET /v1/models} (requests pick one with
 *                         {@code speculum.speculation.drafter})
 * @param cascadeModels    model names answered by the cascade router ({@code llm.cascade}) instead of a verifier;
 *                         empty (the default) where no cascade router runs
 * @param instanceId       names this instance's reply topic; blank: a random id (its reply topic is deleted at shutdown)
 * @param replyTopicPrefix the reply topic is this prefix plus the instance id
 * @param verifierGroup    the verifiers' consumer group: readiness waits until it has live members
 * @param chatTemplate     built-in llama.cpp chat template (e.g. chatml, llama2, zephyr) for models without their own
 * @param templateModel    a GGUF whose own chat template is preferred (read vocabulary-only); unset: always chatTemplate
 * @param defaultMaxTokens completion length when a request gives none
 * @param maxBodySize      larger request bodies are refused with 413
 * @param apiKeys          accepted bearer tokens, each as {@code sha256:<hex>} of the token (never the token itself)
 * @param logText          log prompts and completions (off: no request text ever reaches the log)
 * @param streamIdleTimeout a stream that gets no event for this long ends with an error
 * @param resumeAfter      a generation that gets no event for this long is sent again with the tokens its client has,
 *                         for another verifier to go on from (and again after each such silence); 0 turns this off
 */
@ConfigurationProperties("speculum.gateway")
public record GatewayProperties(
        @DefaultValue("stories260K") List<String> models,
        @DefaultValue("model") List<String> drafters,
        List<String> cascadeModels,
        String instanceId,
        @DefaultValue("llm.replies.") String replyTopicPrefix,
        @DefaultValue("speculum-verifier") String verifierGroup,
        @DefaultValue("chatml") String chatTemplate,
        Path templateModel,
        @DefaultValue("256") int defaultMaxTokens,
        @DefaultValue("1MB") DataSize maxBodySize,
        List<String> apiKeys,
        @DefaultValue("false") boolean logText,
        @DefaultValue("30s") Duration streamIdleTimeout,
        @DefaultValue("3s") Duration resumeAfter) {

    public GatewayProperties {
        models = List.copyOf(models);
        if (models.isEmpty()) {
            throw new IllegalArgumentException("speculum.gateway.models must name at least one model");
        }
        drafters = List.copyOf(drafters);
        cascadeModels = cascadeModels == null ? List.of() : cascadeModels.stream().filter(m -> !m.isBlank()).toList();
        if (cascadeModels.stream().anyMatch(models::contains)) {
            throw new IllegalArgumentException("speculum.gateway.cascade-models must not repeat a name of speculum.gateway.models");
        }
        apiKeys = apiKeys == null ? List.of() : apiKeys.stream().filter(k -> !k.isBlank()).toList();
        if (defaultMaxTokens < 1) {
            throw new IllegalArgumentException("speculum.gateway.default-max-tokens must be positive");
        }
    }

    /** Whether requests for this model go to the cascade router. */
    public boolean isCascade(String model) {
        return cascadeModels.contains(model);
    }

    /** Whether the instance id was generated (an ephemeral instance: its reply topic goes with it). */
    public boolean ephemeralInstance() {
        return instanceId == null || instanceId.isBlank();
    }

    String resolvedInstanceId() {
        return ephemeralInstance() ? UUID.randomUUID().toString().substring(0, 8) : instanceId;
    }
}
