package io.speculum.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.speculum.protocol.detection.DetectRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The protocol decoder against hostile input: whatever the bytes (truncated, mutated, wrong types, huge numbers and
 * strings, deep nesting, invalid UTF-8, unknown fields and types), reading either gives a record or fails with
 * {@link ProtocolException} (so the listener dead-letters it), never another exception.
 */
class ProtocolCodecFuzzTest {

    private static final List<Class<?>> TYPES = List.of(GenerateTopicRecord.class, DraftTopicRecord.class, DraftProposal.class,
            CascadeTopicRecord.class, DetectRequest.class, GenerationEvent.class);

    /** Valid records of every topic, the seeds the mutations start from. */
    private static final List<String> SEEDS = List.of(
            """
            {"type":"generate","requestId":"r1","replyTopic":"my-replies","prompt":"Once upon a time","maxTokens":32,\
            "sampling":{"temperature":0.7,"topK":40,"topP":0.9,"minP":0.05,"seed":7},"stop":["."],\
            "speculation":{"mode":"FIXED","drafter":"model","maxDraftTokens":4,"minProbability":0.1},"deadlineAtMillis":5}""",
            """
            {"type":"generate","requestId":"r2","replyTopic":"x","promptTokens":[1,2,3],"maxTokens":4}""",
            """
            {"type":"cancel","requestId":"r1","reason":"gone"}""",
            """
            {"type":"draft","state":{"requestId":"r1","round":1,"replyTopic":"x","model":"m","vocabulary":"fp","promptLength":2,\
            "tokens":[1,5,9],"maxTokens":8,"sampling":{"temperature":0},"stop":[],"deadlineAtMillis":0},"maxDraftTokens":4,\
            "drafter":"model","successors":[{"token":5,"candidates":[1,2]}]}""",
            """
            {"type":"release","requestId":"r1"}""",
            """
            {"state":{"requestId":"r1","round":1,"tokens":[1,5]},"drafter":"model","vocabulary":"fp","tokens":[4,2],\
            "distributions":[{"ids":[4,3],"probs":[0.75,0.25]}],"parents":[-1,0]}""",
            """
            {"requestId":"c1","replyTopic":"my-replies","prompt":"Once","maxTokens":48,"threshold":null,"routing":"TOKEN",\
            "tokenThreshold":2.5}""",
            """
            {"requestId":"d1","replyTopic":"my-replies","texts":["a b c","d e"],"methods":["learned"],"tokens":true}""",
            """
            {"type":"round","requestId":"r1","round":0,"tokens":[5],"text":" there","stats":{"drafted":0}}""",
            """
            {"type":"error","requestId":"r1","round":0,"code":"INVALID_REQUEST","message":"no"}""");

    @Property(tries = 1000)
    void anyInputReadsOrFailsAsAProtocolError(@ForAll("hostileRecords") byte[] record, @ForAll("types") Class<?> type) {
        try {
            assertThat(ProtocolCodec.read(record, type)).isNotNull();
        } catch (ProtocolException expected) {
            assertThat(expected.getMessage()).startsWith("Malformed " + type.getSimpleName());
        }
    }

    @Provide
    Arbitrary<Class<?>> types() {
        return Arbitraries.of(TYPES);
    }

    @Provide
    Arbitrary<byte[]> hostileRecords() {
        return Arbitraries.oneOf(
                mutated().map(s -> s.getBytes(StandardCharsets.UTF_8)),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(200),
                invalidUtf8(),
                deeplyNested().map(s -> s.getBytes(StandardCharsets.UTF_8)));
    }

    /** A seed with one field's value swapped for something hostile, or cut short, or with a character changed. */
    private Arbitrary<String> mutated() {
        Arbitrary<String> seeds = Arbitraries.of(SEEDS);
        Arbitrary<String> hostileValues = Arbitraries.oneOf(
                Arbitraries.of("null", "true", "\"\"", "[]", "{}", "-1", "0", "1e309", "-9223372036854775809",
                        "99999999999999999999999999999", "NaN", "\"\\ud800\"", "[null]", "{\"type\":\"nope\"}", "\"AUTO\"", "0.5"),
                Arbitraries.strings().ofMaxLength(30).map(s -> "\"" + s.replace("\\", "").replace("\"", "") + "\""),
                Arbitraries.integers().between(1, 3000).map(n -> "\"" + "x".repeat(n * 100) + "\""),
                Arbitraries.integers().between(1, 2000).map(n -> "9".repeat(n)));
        Arbitrary<String> swapped = Combinators.combine(seeds, hostileValues, Arbitraries.integers().between(0, 40))
                .as(ProtocolCodecFuzzTest::swapValue);
        Arbitrary<String> truncated = Combinators.combine(seeds, Arbitraries.integers().between(0, 999))
                .as((seed, permille) -> seed.substring(0, seed.length() * permille / 1000));
        Arbitrary<String> changed = Combinators.combine(seeds, Arbitraries.integers().between(0, 999), Arbitraries.chars())
                .as((seed, permille, c) -> {
                    int i = seed.length() * permille / 1000;
                    return seed.substring(0, i) + c + seed.substring(i + 1);
                });
        Arbitrary<String> unknownFields = seeds.map(seed -> seed.replaceFirst("\\{", "{\"surprise\":{\"a\":[1,2,{\"b\":null}]},"));
        return Arbitraries.oneOf(swapped, truncated, changed, unknownFields);
    }

    /** Replaces the value after the n-th colon (modulo their number) with {@code value}, up to the next , or }. */
    private static String swapValue(String seed, String value, int n) {
        List<Integer> colons = new java.util.ArrayList<>();
        for (int i = 0; i < seed.length(); i++) {
            if (seed.charAt(i) == ':') {
                colons.add(i);
            }
        }
        int start = colons.get(n % colons.size()) + 1;
        int end = start;
        int depth = 0;
        while (end < seed.length()) {
            char c = seed.charAt(end);
            if ((c == ',' || c == '}' || c == ']') && depth == 0) {
                break;
            }
            depth += c == '{' || c == '[' ? 1 : c == '}' || c == ']' ? -1 : 0;
            end++;
        }
        return seed.substring(0, start) + value + seed.substring(end);
    }

    private Arbitrary<byte[]> invalidUtf8() {
        return Combinators.combine(Arbitraries.of(SEEDS), Arbitraries.of(new byte[] {(byte) 0xC3}, new byte[] {(byte) 0xFF, (byte) 0xFE},
                new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, new byte[] {(byte) 0xF8, (byte) 0x88, (byte) 0x80}))
                .as((seed, bad) -> {
                    byte[] bytes = seed.replace("Once", "On##").getBytes(StandardCharsets.UTF_8);
                    int at = new String(bytes, StandardCharsets.UTF_8).indexOf("##");
                    if (at < 0) {
                        at = bytes.length / 2;
                    }
                    byte[] out = new byte[bytes.length + bad.length];
                    System.arraycopy(bytes, 0, out, 0, at);
                    System.arraycopy(bad, 0, out, at, bad.length);
                    System.arraycopy(bytes, at, out, at + bad.length, bytes.length - at);
                    return out;
                });
    }

    private Arbitrary<String> deeplyNested() {
        return Arbitraries.integers().between(100, 5000).map(depth ->
                "{\"type\":\"generate\",\"requestId\":\"r\",\"sampling\":" + "[".repeat(depth) + "]".repeat(depth) + "}");
    }
}
