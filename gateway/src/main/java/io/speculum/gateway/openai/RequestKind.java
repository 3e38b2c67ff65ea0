package io.speculum.gateway.openai;

/** The generation routes; each has its own time limiter ({@code resilience4j.timelimiter.instances.<name>}). */
public enum RequestKind {
    COMPLETION("completions", "cmpl-"),
    CHAT("chat-completions", "chatcmpl-");

    private final String limiterName;
    private final String idPrefix;

    RequestKind(String limiterName, String idPrefix) {
        this.limiterName = limiterName;
        this.idPrefix = idPrefix;
    }

    public String limiterName() {
        return limiterName;
    }

    public String idPrefix() {
        return idPrefix;
    }
}
