package io.speculum.gateway.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * The accepted API keys, known only by their SHA-256 ({@code sha256:<hex>} in configuration, e.g. from
 * {@code printf %s "$KEY" | sha256sum}): a leaked configuration file does not leak keys.
 */
public final class ApiKeys {

    private static final String PREFIX = "sha256:";
    private final List<byte[]> hashes;

    ApiKeys(List<String> configured) {
        this.hashes = configured.stream().map(ApiKeys::parse).toList();
    }

    boolean isEmpty() {
        return hashes.isEmpty();
    }

    /** The key's id (the first 12 hex digits of its hash: what rate limits and logs use) when accepted, else null. */
    String identify(String presented) {
        byte[] hash = sha256(presented);
        boolean accepted = false;
        for (byte[] known : hashes) {
            accepted |= MessageDigest.isEqual(known, hash);
        }
        return accepted ? HexFormat.of().formatHex(hash).substring(0, 12) : null;
    }

    public static String hash(String key) {
        return PREFIX + HexFormat.of().formatHex(sha256(key));
    }

    private static byte[] parse(String entry) {
        String value = entry.strip().toLowerCase(Locale.ROOT);
        if (!value.startsWith(PREFIX) || value.length() != PREFIX.length() + 64) {
            throw new IllegalArgumentException("speculum.gateway.api-keys entries are sha256:<64 hex digits> of a key, got '"
                    + (value.length() > 12 ? value.substring(0, 12) + "…" : value) + "'");
        }
        return HexFormat.of().parseHex(value.substring(PREFIX.length()));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
