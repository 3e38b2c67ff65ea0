package io.speculum.gateway;

/** The generation routes; each has its own time limiter ({@code resilience4j.timelimiter.instances.<name>}). */
enum RequestKind {
    COMPLETION("completions", "cmpl-"),
    CHAT("chat-completions", "chatcmpl-");

    private final String limiterName;
    private final String idPrefix;

    RequestKind(String limiterName, String idPrefix) {
        this.limiterName = limiterName;
        this.idPrefix = idPrefix;
    }

    String limiterName() {
        return limiterName;
    }

    String idPrefix() {
        return idPrefix;
    }
}
