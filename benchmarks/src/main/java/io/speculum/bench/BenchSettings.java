package io.speculum.bench;

import io.speculum.llama.CostPadding;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;

/**
 * What a speculative decoding benchmark run measures, from {@code bench.*} system properties (the bench profile
 * forwards them from the Maven command line). {@code bench.quick=true} prints every goal ratio in about three minutes:
 * the 150M padded target as in a full run, but few prompts and tokens and one wave per concurrency.
 *
 * @param prompts         prompts of prompts-a.jsonl per wall-clock measurement (the first N)
 * @param acceptancePrompts prompts of the acceptance table (cheap: stories260K is the target there)
 * @param tokens          new tokens per generation
 * @param k               draft chain length of the wall-clock runs
 * @param threads         compute threads of every target context (ours and java-llama.cpp's)
 * @param padded          hidden size, FFN width and blocks of the cost-padded target
 * @param concurrency     concurrent requests of the throughput runs (1 is the per-prompt, interleaved section)
 * @param waves           waves of {@code c} concurrent requests per concurrency above 1, at least enough for 10
 *                        prompts per ratio (except in a quick run)
 * @param warmups         generations per variant before measuring (JIT, page cache)
 * @param costRepeats     decodes per k of the cost curve
 * @param auto            also measure the automatic policy per drafter against the target alone
 * @param draftTimeoutMillis the verifier's draft deadline per round (in-process and the verifier-service alike)
 * @param sections        which sections run: acceptance, cost, speed (one at a time, concurrency, hops), auto
 */
record BenchSettings(boolean quick, int prompts, int acceptancePrompts, int tokens, int k, int threads, int[] padded, int[] concurrency,
                     int waves, int warmups, int costRepeats, boolean auto, int draftTimeoutMillis, Set<String> sections) {

    static final Set<String> ALL_SECTIONS = Set.of("acceptance", "cost", "speed", "auto");

    static BenchSettings fromSystemProperties() {
        boolean quick = Boolean.parseBoolean(property("bench.quick", "false"));
        int cores = Runtime.getRuntime().availableProcessors();
        return new BenchSettings(quick,
                Integer.parseInt(property("bench.prompts", quick ? "3" : "10")),
                Integer.parseInt(property("bench.acceptance.prompts", quick ? "3" : "20")),
                Integer.parseInt(property("bench.tokens", quick ? "32" : "128")),
                Integer.parseInt(property("bench.k", "8")),
                Integer.parseInt(property("bench.threads", Integer.toString(Math.max(1, cores / 2)))),
                ints(property("bench.padded", CostPadding.HIDDEN_150M + "," + CostPadding.FEED_FORWARD_150M + "," + CostPadding.BLOCKS_150M)),
                ints(property("bench.concurrency", "1,4,16")),
                Integer.parseInt(property("bench.waves", "1")),
                Integer.parseInt(property("bench.warm", "2")),
                Integer.parseInt(property("bench.cost.repeats", quick ? "5" : "10")),
                Boolean.parseBoolean(property("bench.auto", "false")),
                Integer.parseInt(property("bench.draft-timeout-ms", "250")),
                Set.copyOf(Arrays.asList(property("bench.sections", "acceptance,cost,speed").split("\\s*,\\s*"))));
    }

    /** Waves at concurrency {@code c}: {@link #waves}, and at least 10 prompts' worth unless quick. */
    int wavesFor(int c) {
        return quick ? waves : Math.max(waves, (10 + c - 1) / c);
    }

    /** Prompts the concurrency section sends, all waves of the largest concurrency together. */
    int concurrencyPrompts() {
        return Arrays.stream(concurrency).map(c -> c * wavesFor(c)).max().orElse(1);
    }

    Duration draftTimeout() {
        return Duration.ofMillis(draftTimeoutMillis);
    }

    boolean runs(String section) {
        return sections.contains(section) || (section.equals("auto") && auto);
    }

    BenchSettings {
        if (!ALL_SECTIONS.containsAll(sections)) {
            throw new IllegalArgumentException("bench.sections are among " + ALL_SECTIONS + ", got " + sections);
        }
        if (padded.length != 3) {
            throw new IllegalArgumentException("bench.padded is hidden,ffn,blocks, got " + Arrays.toString(padded));
        }
    }

    /** The command line that reproduces this run, printed at the top of the output. */
    String commandLine() {
        return "./mvnw -q -Pbench -pl benchmarks -am verify -DskipTests -Dbench.main=io.speculum.bench.SpeculativeDecodingBenchmark"
                + (quick ? " -Dbench.quick=true" : "") + " -Dbench.prompts=" + prompts + " -Dbench.acceptance.prompts=" + acceptancePrompts
                + " -Dbench.tokens=" + tokens
                + " -Dbench.k=" + k + " -Dbench.threads=" + threads + " -Dbench.padded=" + join(padded)
                + " -Dbench.concurrency=" + join(concurrency) + " -Dbench.waves=" + waves + " -Dbench.draft-timeout-ms=" + draftTimeoutMillis
                + (auto ? " -Dbench.auto=true" : "")
                + " -Dbench.sections=" + String.join(",", ALL_SECTIONS.stream().filter(sections::contains).sorted().toList());
    }

    /**
     * A {@code bench.*} property or the fallback: Maven forwards unset properties as empty strings (or, in some
     * versions, as the unresolved expression).
     */
    static String property(String name, String fallback) {
        String value = System.getProperty(name, "");
        return value.isBlank() || value.startsWith("${") ? fallback : value.trim();
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
    }

    private static String join(int[] values) {
        return String.join(",", Arrays.stream(values).mapToObj(Integer::toString).toList());
    }
}
