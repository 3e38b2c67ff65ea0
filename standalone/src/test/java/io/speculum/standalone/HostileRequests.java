package io.speculum.standalone;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Malformed and hostile requests against every gateway route, generated with jqwik: valid bodies with one value
 * swapped for something hostile (wrong types, huge numbers and strings, deep nesting, token-id prompts out of range,
 * stop lists too long), cut short or with a character changed, unknown fields, raw bytes and invalid UTF-8; headers
 * missing, wrong or repeated; a few bodies sent slowly.
 */
final class HostileRequests {

    /** One request: the route, its headers (repeats allowed), the body, and whether it trickles in. */
    record HostileRequest(String method, String path, List<Map.Entry<String, String>> headers, byte[] body, boolean slow) {

        @Override
        public String toString() {
            String text = new String(body, StandardCharsets.UTF_8);
            return method + " " + path + " " + headers.stream().map(h -> h.getKey() + "=" + (h.getKey().equals("Authorization") ? "…" : h.getValue())).toList()
                    + (slow ? " slow " : " ") + (text.length() > 300 ? text.substring(0, 300) + "…(" + body.length + " bytes)" : text);
        }
    }

    /** A valid body per POST route, the seeds mutations start from. */
    static final Map<String, List<String>> SEEDS = Map.of(
            "/v1/completions", List.of("""
                    {"model":"stories260K","prompt":"Once upon a time","max_tokens":4,"temperature":0}""", """
                    {"model":"stories260K","prompt":[1,415,2501],"max_tokens":3,"stream":true,"stop":["."],"seed":3,"top_p":0.9,\
                    "speculum":{"speculation":{"mode":"fixed","k":4},"stats":true}}"""),
            "/v1/chat/completions", List.of("""
                    {"model":"stories260K","messages":[{"role":"user","content":"Tell a story"}],"max_tokens":4}""", """
                    {"model":"stories260K","messages":[{"role":"system","content":"Be short"},{"role":"user","content":"Hi"}],\
                    "max_tokens":3,"stream":true,"stream_options":{"include_usage":true},"temperature":0.5}"""),
            "/v1/detect", List.of("""
                    {"text":"Once upon a time, there was a little dog."}""", """
                    {"texts":["The cat sat.","A dog ran far away."],"methods":["log-rank"],"tokens":true}"""));

    private static final List<String> POST_ROUTES = List.copyOf(SEEDS.keySet());

    private HostileRequests() {
    }

    static Arbitrary<HostileRequest> any(String key) {
        Arbitrary<String> route = Arbitraries.of(POST_ROUTES);
        Arbitrary<byte[]> bodies = route.flatMap(path -> body(path).map(body -> body)); // body drawn for any route
        Arbitrary<HostileRequest> posts = Combinators.combine(route, route.flatMap(HostileRequests::body), headers(key),
                Arbitraries.integers().between(0, 99))
                .as((path, body, headers, roll) -> new HostileRequest("POST", path, headers, body, roll < 2));
        Arbitrary<HostileRequest> gets = Combinators.combine(Arbitraries.of("/v1/models", "/v1/models?x=%ff%fe", "/v1/completions",
                "/v1/detect"), headers(key), bodies)
                .as((path, headers, body) -> new HostileRequest("GET", path, headers, new byte[0], false));
        return Arbitraries.frequencyOf(Tuple.of(9, posts), Tuple.of(1, gets));
    }

    /** Mostly a valid key and JSON type; sometimes none, a wrong one, repeated ones, or another content type. */
    private static Arbitrary<List<Map.Entry<String, String>>> headers(String key) {
        Arbitrary<List<Map.Entry<String, String>>> auth = Arbitraries.frequencyOf(
                Tuple.of(85, Arbitraries.just(List.of(Map.entry("Authorization", "Bearer " + key)))),
                Tuple.of(3, Arbitraries.just(List.<Map.Entry<String, String>>of())),
                Tuple.of(3, Arbitraries.just(List.of(Map.entry("Authorization", "Bearer wrong-key")))),
                Tuple.of(3, Arbitraries.just(List.of(Map.entry("Authorization", "Basic " + key)))),
                Tuple.of(3, Arbitraries.just(List.of(Map.entry("Authorization", "Bearer " + key),
                        Map.entry("Authorization", "Bearer other")))),
                Tuple.of(3, Arbitraries.strings().ofMaxLength(40).withCharRange(' ', '~')
                        .map(s -> List.of(Map.entry("Authorization", s)))));
        Arbitrary<List<Map.Entry<String, String>>> type = Arbitraries.frequencyOf(
                Tuple.of(85, Arbitraries.just(List.of(Map.entry("Content-Type", "application/json")))),
                Tuple.of(4, Arbitraries.just(List.<Map.Entry<String, String>>of())),
                Tuple.of(4, Arbitraries.of("text/plain", "application/xml", "application/json; charset=latin1",
                        "multipart/form-data", "application/x-www-form-urlencoded", "*/*", "garbage")
                        .map(t -> List.of(Map.entry("Content-Type", t)))),
                Tuple.of(4, Arbitraries.just(List.of(Map.entry("Content-Type", "application/json"),
                        Map.entry("Content-Type", "text/plain")))),
                Tuple.of(3, Arbitraries.just(List.of(Map.entry("Content-Type", "application/json"),
                        Map.entry("Accept", "application/xml"), Map.entry("X-Request-Id", "x".repeat(2000))))));
        return Combinators.combine(auth, type).as((a, t) -> {
            List<Map.Entry<String, String>> all = new ArrayList<>(a);
            all.addAll(t);
            return all;
        });
    }

    private static Arbitrary<byte[]> body(String path) {
        Arbitrary<String> seeds = Arbitraries.of(SEEDS.get(path));
        Arbitrary<String> hostile = Arbitraries.oneOf(
                Arbitraries.of("null", "true", "\"\"", "[]", "{}", "-1", "0", "1e309", "-1e309", "9223372036854775808",
                        "99999999999999999999999999999", "1.5", "\"4\"", "[null]", "[[[]]]", "{\"a\":1}", "\"\\ud800\"",
                        "[99999999,-1,0]", "[1,2,3000000000]", "[\"a\",1]", "{\"role\":\"wizard\",\"content\":7}",
                        "\"fixed\"", "\"" + "x".repeat(100) + "\""),
                Arbitraries.integers().between(1, 300).map(n -> "[" + String.join(",", java.util.Collections.nCopies(n, "\"stop\"")) + "]"),
                Arbitraries.integers().between(1, 400).map(n -> "\"" + "Once ".repeat(n * 100) + "\""),
                Arbitraries.integers().between(1, 1500).map(n -> "9".repeat(n)),
                Arbitraries.integers().between(1, 3000).map(n -> "[".repeat(n) + "]".repeat(n)),
                Arbitraries.integers().between(1, 3000).map(n -> "{\"a\":".repeat(n) + "1" + "}".repeat(n)),
                Arbitraries.strings().ofMaxLength(20).map(s -> "\"" + s.replace("\\", "").replace("\"", "") + "\""));
        Arbitrary<String> swapped = Combinators.combine(seeds, hostile, Arbitraries.integers().between(0, 40))
                .as(HostileRequests::swapValue);
        Arbitrary<String> truncated = Combinators.combine(seeds, Arbitraries.integers().between(0, 999))
                .as((seed, permille) -> seed.substring(0, seed.length() * permille / 1000));
        Arbitrary<String> changed = Combinators.combine(seeds, Arbitraries.integers().between(0, 999), Arbitraries.chars())
                .as((seed, permille, c) -> {
                    int i = seed.length() * permille / 1000;
                    return seed.substring(0, i) + c + seed.substring(i + 1);
                });
        Arbitrary<String> unknownFields = Combinators.combine(seeds, Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(12))
                .as((seed, name) -> seed.replaceFirst("\\{", "{\"" + name + "\":{\"x\":[1,{\"y\":null}]},"));
        Arbitrary<byte[]> text = Arbitraries.oneOf(swapped, truncated, changed, unknownFields)
                .map(s -> s.getBytes(StandardCharsets.UTF_8));
        Arbitrary<byte[]> raw = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        Arbitrary<byte[]> invalidUtf8 = seeds.map(seed -> {
            byte[] bytes = seed.getBytes(StandardCharsets.UTF_8);
            int at = seed.indexOf(':') + 3;
            byte[] out = new byte[bytes.length + 3];
            System.arraycopy(bytes, 0, out, 0, at);
            out[at] = (byte) 0xED;
            out[at + 1] = (byte) 0xA0;
            out[at + 2] = (byte) 0xFF;
            System.arraycopy(bytes, at, out, at + 3, bytes.length - at);
            return out;
        });
        return Arbitraries.frequencyOf(Tuple.of(80, text), Tuple.of(10, raw),
                Tuple.of(10, invalidUtf8));
    }

    /** Replaces the value after the n-th colon (modulo their number) with {@code value}, up to the next , } or ]. */
    private static String swapValue(String seed, String value, int n) {
        List<Integer> colons = new ArrayList<>();
        boolean inString = false;
        for (int i = 0; i < seed.length(); i++) {
            char c = seed.charAt(i);
            inString ^= c == '"';
            if (c == ':' && !inString) {
                colons.add(i);
            }
        }
        int start = colons.get(n % colons.size()) + 1;
        int end = start;
        int depth = 0;
        boolean quoted = false;
        while (end < seed.length()) {
            char c = seed.charAt(end);
            quoted ^= c == '"';
            if (!quoted) {
                if ((c == ',' || c == '}' || c == ']') && depth == 0) {
                    break;
                }
                depth += c == '{' || c == '[' ? 1 : c == '}' || c == ']' ? -1 : 0;
            }
            end++;
        }
        return seed.substring(0, start) + value + seed.substring(end);
    }
}
