package io.speculum.gateway.web;

import io.speculum.gateway.GatewayProperties;
import io.speculum.gateway.TemplateModel;
import io.speculum.gateway.openai.ApiException;
import io.speculum.gateway.openai.ChatCompletionRequest;
import io.speculum.gateway.openai.RequestTranslator;
import io.speculum.llama.LlamaException;
import io.speculum.llama.Model;
import io.speculum.llama.Vocabulary;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;

/**
 * vLLM's tokenizer routes, keyed and rate-limited like {@code /v1}: {@code POST /tokenize} (a prompt, or chat messages
 * rendered as for {@code /v1/chat/completions}) and {@code POST /detokenize}. The ids are those of
 * {@code speculum.gateway.template-model}'s vocabulary, which deployments point at the served verifier model (the
 * standalone does): the same ids the verifier counts in {@code usage.prompt_tokens}.
 */
@RestController
@SecurityRequirement(name = "bearer")
class TokenizerController {

    static final Set<String> ROUTES = Set.of("/tokenize", "/detokenize");

    /**
     * @param add_special_tokens add the BOS token as the verifier does for text prompts (default true)
     * @param return_token_strs also return each token's piece of text
     */
    public record TokenizeBody(String model, String prompt, List<ChatCompletionRequest.Message> messages,
                               Boolean add_special_tokens, Boolean return_token_strs) {
    }

    public record TokenizeResponse(int count, int max_model_len, List<Integer> tokens, List<String> token_strs) {
    }

    public record DetokenizeBody(String model, List<Integer> tokens) {
    }

    public record DetokenizeResponse(String prompt) {
    }

    private final ApiKeyRateLimits rateLimits;
    private final GatewayProperties properties;
    private final TemplateModel template;
    private final RequestTranslator translator;

    TokenizerController(ApiKeyRateLimits rateLimits, GatewayProperties properties, TemplateModel template,
                        RequestTranslator translator) {
        this.rateLimits = rateLimits;
        this.properties = properties;
        this.template = template;
        this.translator = translator;
    }

    @PostMapping("/tokenize")
    @Operation(summary = "Tokenizes a prompt or a chat with the served model's vocabulary (vLLM's route)")
    TokenizeResponse tokenize(@RequestBody TokenizeBody body, ServerWebExchange exchange) {
        rateLimits.charge(ApiKeyFilter.keyId(exchange));
        Model model = model(body == null ? null : body.model());
        if ((body.prompt() == null) == (body.messages() == null)) {
            throw ApiException.invalid("prompt", "give exactly one of prompt and messages");
        }
        String text = body.prompt() != null ? body.prompt() : translator.renderChat(body.messages());
        Vocabulary vocabulary = model.vocabulary();
        int[] ids;
        try {
            ids = vocabulary.tokenize(text, !Boolean.FALSE.equals(body.add_special_tokens()), false);
        } catch (LlamaException e) {
            throw ApiException.invalid("prompt", "cannot tokenize: " + e.getMessage());
        }
        List<Integer> tokens = new ArrayList<>(ids.length);
        List<String> pieces = Boolean.TRUE.equals(body.return_token_strs()) ? new ArrayList<>(ids.length) : null;
        for (int id : ids) {
            tokens.add(id);
            if (pieces != null) {
                pieces.add(vocabulary.piece(id));
            }
        }
        return new TokenizeResponse(ids.length, model.metadata().trainingContext(), tokens, pieces);
    }

    @PostMapping("/detokenize")
    @Operation(summary = "Turns token ids of the served model back into text (vLLM's route)")
    DetokenizeResponse detokenize(@RequestBody DetokenizeBody body, ServerWebExchange exchange) {
        rateLimits.charge(ApiKeyFilter.keyId(exchange));
        Model model = model(body == null ? null : body.model());
        if (body.tokens() == null) {
            throw ApiException.invalid("tokens", "tokens must be an array of token ids");
        }
        int[] ids = new int[body.tokens().size()];
        for (int i = 0; i < ids.length; i++) {
            Integer id = body.tokens().get(i);
            if (id == null || !model.vocabulary().isValid(id)) {
                throw ApiException.invalid("tokens", "token id " + id + " is outside the vocabulary [0, "
                        + model.vocabulary().size() + ")");
            }
            ids[i] = id;
        }
        return new DetokenizeResponse(model.vocabulary().detokenize(ids, true, false));
    }

    private Model model(String name) {
        if (name != null && !properties.models().contains(name)) {
            throw ApiException.unknownModel(name);
        }
        return template.model().orElseThrow(() -> new ApiException(HttpStatus.NOT_IMPLEMENTED, "invalid_request_error", null,
                "tokenizer_unavailable", "this gateway has no vocabulary: set speculum.gateway.template-model to the served model",
                null));
    }
}
