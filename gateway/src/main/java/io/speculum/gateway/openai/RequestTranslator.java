package io.speculum.gateway.openai;

import io.speculum.gateway.GatewayProperties;
import io.speculum.llama.ChatMessage;
import io.speculum.math.Penalties;
import io.speculum.math.SamplingParams;
import io.speculum.protocol.CascadeRouting;
import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.SpeculationPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * Checks OpenAI request bodies and turns them into {@link GenerationSpec}s: 400 for malformed or out-of-range values
 * (naming the parameter), 404 for a model not served here, 422 for valid OpenAI features this server does not offer.
 */
@Component
public class RequestTranslator {

    private static final int MAX_STOP_STRINGS = 4;
    /** OpenAI's limit for the legacy completions' {@code logprobs}. */
    static final int MAX_COMPLETION_LOGPROBS = 5;
    static final int MAX_CHOICES = 16;
    private static final Set<String> CHAT_ROLES = Set.of("system", "developer", "user", "assistant");

    private final GatewayProperties properties;
    private final ChatRenderer chats;

    RequestTranslator(GatewayProperties properties, ChatRenderer chats) {
        this.properties = properties;
        this.chats = chats;
    }

    public GenerationSpec completion(CompletionRequest body) {
        if (body == null) {
            throw ApiException.invalid(null, "the request body is missing");
        }
        String model = model(body.model());
        int n = choices(body.n(), body.best_of());
        if (body.suffix() != null && !body.suffix().isNull()) {
            throw ApiException.unsupported("suffix", "suffix (insertion) is not supported");
        }
        Integer logprobs = body.logprobs();
        if (logprobs != null && (logprobs < 0 || logprobs > MAX_COMPLETION_LOGPROBS)) {
            throw ApiException.invalid("logprobs", "logprobs must be in [0, " + MAX_COMPLETION_LOGPROBS + "], got " + logprobs);
        }
        boolean echo = Boolean.TRUE.equals(body.echo());
        String prompt = null;
        int[] tokens = null;
        JsonNode p = body.prompt();
        if (p == null || p.isNull()) {
            throw ApiException.invalid("prompt", "you must provide a prompt");
        } else if (p.isString()) {
            prompt = p.asString();
        } else if (p.isArray() && !p.isEmpty() && p.get(0).isString()) {
            if (p.size() > 1) {
                throw ApiException.unsupported("prompt", "only one prompt per request is supported");
            }
            prompt = p.get(0).asString();
        } else if (p.isArray() && !p.isEmpty() && p.get(0).isIntegralNumber()) {
            tokens = new int[p.size()];
            for (int i = 0; i < tokens.length; i++) {
                if (!p.get(i).isIntegralNumber() || !p.get(i).canConvertToInt()) {
                    throw ApiException.invalid("prompt", "a token-id prompt holds 32-bit integers only");
                }
                tokens[i] = p.get(i).asInt();
            }
        } else if (p.isArray() && !p.isEmpty() && p.get(0).isArray()) {
            throw ApiException.unsupported("prompt", "only one prompt per request is supported");
        } else {
            throw ApiException.invalid("prompt", "prompt must be a string, an array of one string or an array of token ids");
        }
        if (tokens != null && properties.isCascade(model)) {
            throw ApiException.unsupported("prompt", "a cascade takes a text prompt, not token ids (the two models' vocabularies differ)");
        }
        if (prompt != null && prompt.isEmpty()) {
            throw ApiException.invalid("prompt", "the prompt is empty");
        }
        // OpenAI's default for the legacy completions route is 16 tokens
        int maxTokens = maxTokens("max_tokens", body.max_tokens(), 16);
        Penalties penalties = penalties(body.logit_bias(), body.frequency_penalty(), body.presence_penalty(),
                body.repetition_penalty());
        noCascade(model, logprobs != null || echo, n, penalties);
        return new GenerationSpec(RequestKind.COMPLETION, model, prompt, tokens, maxTokens,
                sampling(body.temperature(), body.top_p(), body.seed(), body.top_k(), body.min_p()), stop(body.stop()),
                speculation(body.speculum()), Boolean.TRUE.equals(body.stream()), includeUsage(body.stream_options()),
                stats(body.speculum()), cascade(model, body.speculum()), logprobs, echo, penalties, n);
    }

    public GenerationSpec chat(ChatCompletionRequest body) {
        if (body == null) {
            throw ApiException.invalid(null, "the request body is missing");
        }
        String model = model(body.model());
        List<String> refused = body.unsupported().entrySet().stream()
                .filter(e -> e.getValue() != null && !e.getValue().isNull()).map(Map.Entry::getKey).toList();
        if (!refused.isEmpty()) {
            throw ApiException.unsupported(refused.getFirst(), "not supported by this server: " + String.join(", ", refused));
        }
        int n = choices(body.n(), null);
        Integer top = body.top_logprobs();
        if (top != null && !Boolean.TRUE.equals(body.logprobs())) {
            throw ApiException.invalid("top_logprobs", "top_logprobs needs \"logprobs\": true");
        }
        if (top != null && (top < 0 || top > GenerateRequest.MAX_LOGPROBS)) {
            throw ApiException.invalid("top_logprobs", "top_logprobs must be in [0, " + GenerateRequest.MAX_LOGPROBS + "], got " + top);
        }
        Integer logprobs = Boolean.TRUE.equals(body.logprobs()) ? (top == null ? 0 : top) : null;
        String prompt = renderChat(body.messages());
        Integer requested = body.max_completion_tokens() != null ? body.max_completion_tokens() : body.max_tokens();
        String param = body.max_completion_tokens() != null ? "max_completion_tokens" : "max_tokens";
        int maxTokens = maxTokens(param, requested, properties.defaultMaxTokens());
        Penalties penalties = penalties(body.logit_bias(), body.frequency_penalty(), body.presence_penalty(),
                body.repetition_penalty());
        noCascade(model, logprobs != null, n, penalties);
        return new GenerationSpec(RequestKind.CHAT, model, prompt, null, maxTokens,
                sampling(body.temperature(), body.top_p(), body.seed(), body.top_k(), body.min_p()), stop(body.stop()),
                speculation(body.speculum()), Boolean.TRUE.equals(body.stream()), includeUsage(body.stream_options()),
                stats(body.speculum()), cascade(model, body.speculum()), logprobs, false, penalties, n);
    }

    /** Checks chat messages and renders them into the prompt the verifier gets. */
    public String renderChat(List<ChatCompletionRequest.Message> chat) {
        if (chat == null || chat.isEmpty()) {
            throw ApiException.invalid("messages", "messages must be a non-empty array");
        }
        List<ChatMessage> messages = new ArrayList<>();
        for (int i = 0; i < chat.size(); i++) {
            ChatCompletionRequest.Message m = chat.get(i);
            String param = "messages[" + i + "]";
            if (m == null || m.role() == null || !CHAT_ROLES.contains(m.role())) {
                throw ApiException.invalid(param + ".role", "role must be one of " + CHAT_ROLES);
            }
            messages.add(new ChatMessage(m.role().equals("developer") ? "system" : m.role(), content(m.content(), param)));
        }
        return chats.render(messages);
    }

    private String model(String model) {
        if (model == null || model.isBlank()) {
            throw ApiException.invalid("model", "you must provide a model parameter");
        }
        if (!properties.models().contains(model) && !properties.isCascade(model)) {
            throw ApiException.unknownModel(model);
        }
        return model;
    }

    /** How many choices: {@code n} in [1, {@value #MAX_CHOICES}]; {@code best_of}, when given, must equal it. */
    private static int choices(Integer n, Integer bestOf) {
        int count = n == null ? 1 : n;
        if (count < 1 || count > MAX_CHOICES) {
            throw ApiException.invalid("n", "n must be in [1, " + MAX_CHOICES + "], got " + count);
        }
        if (bestOf != null && bestOf < count) {
            throw ApiException.invalid("best_of", "best_of must be at least n");
        }
        if (bestOf != null && bestOf > count) {
            throw ApiException.unsupported("best_of", "best_of > n is not supported (every sample is returned: use n)");
        }
        return count;
    }

    /** Cascade answers come from the cascade router, which offers none of these. */
    private void noCascade(String model, boolean logprobs, int n, Penalties penalties) {
        if (!properties.isCascade(model)) {
            return;
        }
        if (logprobs) {
            throw ApiException.unsupported("logprobs", "a cascade model does not report log-probabilities");
        }
        if (n > 1) {
            throw ApiException.unsupported("n", "a cascade model answers one choice");
        }
        if (!penalties.changesNothing()) {
            throw ApiException.unsupported("logit_bias", "a cascade model takes no logit bias or penalties");
        }
    }

    private static Penalties penalties(Map<String, Double> logitBias, Double frequency, Double presence, Double repetition) {
        Map<Integer, Double> bias = new java.util.TreeMap<>();
        if (logitBias != null) {
            for (Map.Entry<String, Double> e : logitBias.entrySet()) {
                int token;
                try {
                    token = Integer.parseInt(e.getKey());
                } catch (NumberFormatException notANumber) {
                    throw ApiException.invalid("logit_bias", "logit_bias keys are token ids, got '" + e.getKey() + "'");
                }
                if (token < 0 || e.getValue() == null || !(Math.abs(e.getValue()) <= 100)) {
                    throw ApiException.invalid("logit_bias", "logit_bias maps token ids >= 0 to biases in [-100, 100]");
                }
                bias.put(token, e.getValue());
            }
        }
        double f = range("frequency_penalty", frequency, 0, -2, 2);
        double p = range("presence_penalty", presence, 0, -2, 2);
        double r = repetition == null ? 1 : repetition;
        if (!(r > 0 && r <= 10)) {
            throw ApiException.invalid("repetition_penalty", "repetition_penalty must be in (0, 10], got " + r);
        }
        return new Penalties(bias, f, p, r);
    }

    private static double range(String param, Double value, double fallback, double min, double max) {
        double v = value == null ? fallback : value;
        if (!(v >= min && v <= max)) {
            throw ApiException.invalid(param, param + " must be in [" + min + ", " + max + "], got " + v);
        }
        return v;
    }

    private static int maxTokens(String param, Integer requested, int fallback) {
        if (requested == null) {
            return fallback;
        }
        if (requested < 1) {
            throw ApiException.invalid(param, param + " must be at least 1, got " + requested);
        }
        return requested;
    }

    private static SamplingParams sampling(Double temperature, Double topP, Long seed, Integer topK, Double minP) {
        double t = temperature == null ? 1.0 : temperature;
        if (!(t >= 0 && t <= 2)) {
            throw ApiException.invalid("temperature", "temperature must be in [0, 2], got " + t);
        }
        double p = topP == null ? 1.0 : topP;
        if (!(p > 0 && p <= 1)) {
            throw ApiException.invalid("top_p", "top_p must be in (0, 1], got " + p);
        }
        // vLLM's "off" values: top_k -1 (or 0), min_p 0
        int k = topK == null || topK == -1 ? 0 : topK;
        if (k < 0) {
            throw ApiException.invalid("top_k", "top_k must be -1 (off) or at least 1, got " + topK);
        }
        double m = range("min_p", minP, 0, 0, 1);
        if (m >= 1) {
            throw ApiException.invalid("min_p", "min_p must be in [0, 1), got " + m);
        }
        long s = seed != null ? seed : t == 0 ? 0 : ThreadLocalRandom.current().nextLong();
        return new SamplingParams(t, k, p, m, t == 0 ? 0 : s);
    }

    private static List<String> stop(JsonNode stop) {
        if (stop == null || stop.isNull()) {
            return List.of();
        }
        List<String> strings = new ArrayList<>();
        if (stop.isString()) {
            strings.add(stop.asString());
        } else if (stop.isArray()) {
            for (JsonNode s : stop) {
                if (!s.isString()) {
                    throw ApiException.invalid("stop", "stop must be a string or an array of strings");
                }
                strings.add(s.asString());
            }
        } else {
            throw ApiException.invalid("stop", "stop must be a string or an array of strings");
        }
        if (strings.size() > MAX_STOP_STRINGS) {
            throw ApiException.invalid("stop", "at most " + MAX_STOP_STRINGS + " stop strings");
        }
        if (strings.stream().anyMatch(String::isEmpty)) {
            throw ApiException.invalid("stop", "stop strings must not be empty");
        }
        return strings;
    }

    private static String content(JsonNode content, String param) {
        if (content == null || content.isNull()) {
            throw ApiException.invalid(param + ".content", "content must be a string or an array of text parts");
        }
        if (content.isString()) {
            return content.asString();
        }
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                if (!"text".equals(part.path("type").asString(null)) || !part.path("text").isString()) {
                    throw ApiException.unsupported(param + ".content", "only text content parts are supported");
                }
                text.append(part.path("text").asString());
            }
            return text.toString();
        }
        throw ApiException.invalid(param + ".content", "content must be a string or an array of text parts");
    }

    private static boolean includeUsage(StreamOptions options) {
        return options != null && Boolean.TRUE.equals(options.include_usage());
    }

    private GenerationSpec.Cascade cascade(String model, SpeculumOptions options) {
        SpeculumOptions.Cascade cascade = options == null ? null : options.cascade();
        if (cascade == null) {
            return GenerationSpec.Cascade.NONE;
        }
        Double threshold = cascade.threshold();
        if (threshold != null && !properties.isCascade(model)) {
            throw ApiException.invalid("speculum.cascade.threshold", "only a cascade model (" + properties.cascadeModels()
                    + ") takes a deferral threshold");
        }
        if (threshold != null && threshold.isNaN()) {
            throw ApiException.invalid("speculum.cascade.threshold", "the threshold must be a number");
        }
        CascadeRouting routing = null;
        if (cascade.routing() != null) {
            if (!properties.isCascade(model)) {
                throw ApiException.invalid("speculum.cascade.routing", "only a cascade model (" + properties.cascadeModels()
                        + ") takes a routing mode");
            }
            try {
                routing = CascadeRouting.valueOf(cascade.routing().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid("speculum.cascade.routing", "routing must be defer or token (lossy), got '"
                        + cascade.routing() + "'");
            }
        }
        Double tokenThreshold = cascade.token_threshold();
        if (tokenThreshold != null && routing != CascadeRouting.TOKEN) {
            throw ApiException.invalid("speculum.cascade.token_threshold", "a token threshold needs \"routing\": \"token\"");
        }
        if (tokenThreshold != null && tokenThreshold.isNaN()) {
            throw ApiException.invalid("speculum.cascade.token_threshold", "the token threshold must be a number");
        }
        if (threshold != null && routing == CascadeRouting.TOKEN) {
            throw ApiException.invalid("speculum.cascade.threshold", "token routing takes token_threshold, not the deferral threshold");
        }
        return new GenerationSpec.Cascade(threshold, routing, tokenThreshold);
    }

    private static boolean stats(SpeculumOptions options) {
        return options != null && Boolean.TRUE.equals(options.stats());
    }

    private SpeculationPolicy speculation(SpeculumOptions options) {
        SpeculumOptions.Speculation s = options == null ? null : options.speculation();
        if (s == null) {
            return SpeculationPolicy.defaults();
        }
        SpeculationPolicy.Mode mode;
        try {
            mode = s.mode() == null ? SpeculationPolicy.Mode.AUTO : SpeculationPolicy.Mode.valueOf(s.mode().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("speculum.speculation.mode", "mode must be auto, fixed or off, got '" + s.mode() + "'");
        }
        if (s.drafter() != null && !properties.drafters().contains(s.drafter())) {
            throw ApiException.invalid("speculum.speculation.drafter", "unknown drafter '" + s.drafter() + "'; known: "
                    + properties.drafters());
        }
        int k = s.k() == null ? SpeculationPolicy.defaults().maxDraftTokens() : s.k();
        if (mode != SpeculationPolicy.Mode.OFF && (k < 1 || k > SpeculationPolicy.MAX_DRAFT_TOKENS)) {
            throw ApiException.invalid("speculum.speculation.k", "k must be in [1, " + SpeculationPolicy.MAX_DRAFT_TOKENS + "], got " + k);
        }
        double threshold = s.threshold() == null ? 0 : s.threshold();
        if (!(threshold >= 0 && threshold < 1)) {
            throw ApiException.invalid("speculum.speculation.threshold", "threshold must be in [0, 1), got " + threshold);
        }
        return mode == SpeculationPolicy.Mode.OFF ? SpeculationPolicy.off()
                : new SpeculationPolicy(mode, s.drafter(), k, threshold).withPipelining(s.pipelined());
    }
}
