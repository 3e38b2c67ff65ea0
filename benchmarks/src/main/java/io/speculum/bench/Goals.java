package io.speculum.bench;

import io.speculum.protocol.HopStages;
import java.util.List;
import java.util.Map;

/**
 * The serving-speed goals beside what this run measured, every bound from the cost curve of the same run: the
 * Kafka share of a round against a ping-pong between the same two JVMs, one request against the bound the cost curve
 * allows and against java-llama.cpp, and throughput at each concurrency against its bound.
 */
final class Goals {

    static final String TAU = "tau:";

    private final BenchSettings settings;
    private final CostTable cost;
    private final Map<String, List<Generation>> runs;
    private final Map<String, Double> rates;
    private final Map<Integer, Map<String, Double>> waves;
    private final double[] pingPong;
    private final double[] perRoundPingPong;

    /** @param perRoundPingPong the same ping-pong once per 100 ms, as a round exchanges its messages */
    Goals(BenchSettings settings, CostTable cost, Map<String, List<Generation>> runs, Map<String, Double> rates,
          Map<Integer, Map<String, Double>> waves, double[] pingPong, double[] perRoundPingPong) {
        this.settings = settings;
        this.cost = cost;
        this.runs = runs;
        this.rates = rates;
        this.waves = waves;
        this.pingPong = pingPong;
        this.perRoundPingPong = perRoundPingPong;
    }

    void print() {
        System.out.printf("%ngoals (serving speed) and this run%s%n", settings.quick()
                ? " (a quick run: few prompts and tokens, one wave per concurrency: wide error bars)" : "");
        List<HopStages> stages = runs.entrySet().stream().filter(e -> e.getKey().startsWith("ours, over Kafka"))
                .flatMap(e -> e.getValue().stream()).flatMap(g -> g.stages().stream()).toList();
        double[] share = stages.stream().mapToDouble(HopStages::transport).toArray();
        if (share.length > 0) {
            double p50 = Stats.percentile(share, 0.5) / Stats.percentile(pingPong, 0.5);
            double p99 = Stats.percentile(share, 0.99) / Stats.percentile(pingPong, 0.99);
            line("Kafka's share p50 / same-JVMs ping-pong p50 <= 1.5x", p50, p50 <= 1.5);
            line("Kafka's share p99 / same-JVMs ping-pong p99 <= 3x", p99, p99 <= 3);
            double perRound = Stats.percentile(share, 0.5) / Stats.percentile(perRoundPingPong, 0.5);
            System.out.printf("  %-72s %6.2fx%n", "(Kafka's share p50 / the ping-pong once per 100 ms, a round's pattern)", perRound);
        }
        double[] alone = rates(SpeculativeDecodingBenchmark.ALONE);
        double[] kafka = rates(SpeculativeDecodingBenchmark.KAFKA);
        double overJavaLlama = Stats.medianRatio(kafka, rates(SpeculativeDecodingBenchmark.JAVA_LLAMA));
        double overAlone = Stats.medianRatio(kafka, alone);
        boolean invariant = InProcessSpeculation.BATCH_INVARIANT;
        int k = settings.k();
        if (cost != null) {
            double tau = Acceptance.of(runs.get(SpeculativeDecodingBenchmark.KAFKA)).tau();
            double bound = cost.bound(tau, k + 1, invariant);
            System.out.printf("  bound, one request: tau %.2f x t1 %.2f ms / t(%d) %.2f ms = %.2fx the target alone%n", tau,
                    cost.targetAloneToken() / 1000, k + 1, cost.verifier(k + 1, invariant) / 1000, bound);
            double decoding = Stats.medianRatio(decodingRates(SpeculativeDecodingBenchmark.KAFKA), decodingRates(SpeculativeDecodingBenchmark.ALONE));
            line("over Kafka / bound >= 0.9, decoding (after the prompt's prefill; " + String.format("%.2fx", decoding) + " the target alone)",
                    decoding / bound, decoding / bound >= 0.9);
            info("(whole generations, the prompt's prefill in: over Kafka " + String.format("%.2fx", overAlone) + " the target alone) / bound",
                    overAlone / bound);
        } else {
            System.out.printf("  (no cost section in this run: bounds not checked; over Kafka %.2fx the target alone)%n", overAlone);
        }
        line("over Kafka / java-llama.cpp's built-in speculation >= 1.05x", overJavaLlama, overJavaLlama >= 1.05);
        if (cost == null) {
            return;
        }
        double t1 = cost.targetAloneToken() / 1e6;
        for (Map.Entry<Integer, Map<String, Double>> level : waves.entrySet()) {
            int c = level.getKey();
            Map<String, Double> at = level.getValue();
            double tau = at.get(TAU + SpeculativeDecodingBenchmark.KAFKA);
            double oneSequence = c * tau / (cost.verifier(c * (k + 1), invariant) / 1e6);
            double bound = c * tau / (cost.spread(c * (k + 1), invariant) / 1e6);
            double measured = at.get(SpeculativeDecodingBenchmark.KAFKA);
            double noDrafts = at.get(SpeculativeDecodingBenchmark.NO_DRAFTS);
            System.out.printf("  c = %d: bound %.1f tok/s (c x tau %.2f / t(%d) %.2f ms spread over %d sequences; %.2fx the target "
                    + "alone's 1/t1; in one sequence t(%d) %.2f ms would allow %.1f)%n", c, bound, tau, c * (k + 1),
                    cost.spread(c * (k + 1), invariant) / 1000, c, bound * t1, c * (k + 1), cost.verifier(c * (k + 1), invariant) / 1000,
                    oneSequence);
            line("c = " + c + ": over Kafka, k = " + k + " / bound >= 0.85", measured / bound, measured / bound >= 0.85);
            info("c = " + c + ": (over Kafka, k = " + k + " / the one-sequence bound)", measured / oneSequence);
            line("c = " + c + ": over Kafka, k = " + k + " / verifier without drafts >= 1", measured / noDrafts, measured >= noDrafts);
            line("c = " + c + ": over Kafka, AUTO / verifier without drafts >= 1", at.get(SpeculativeDecodingBenchmark.KAFKA_AUTO) / noDrafts,
                    at.get(SpeculativeDecodingBenchmark.KAFKA_AUTO) >= noDrafts);
            double noDraftBound = c / (cost.spread(c, invariant) / 1e6);
            line("c = " + c + ": verifier without drafts / (c / t(c) spread) >= 0.85", noDrafts / noDraftBound, noDrafts / noDraftBound >= 0.85);
            info("c = " + c + ": (verifier without drafts / (c / t(c) in one sequence))", noDrafts / (c / (cost.verifier(c, invariant) / 1e6)));
        }
    }

    private double[] decodingRates(String variant) {
        return runs.get(variant).stream().mapToDouble(Generation::decodingTokensPerSecond).toArray();
    }

    private double[] rates(String variant) {
        return runs.get(variant).stream().mapToDouble(Generation::tokensPerSecond).toArray();
    }

    private static void info(String what, double value) {
        System.out.printf("  %-72s %7.2fx%n", what, value);
    }

    private static void line(String goal, double value, boolean met) {
        System.out.printf("  %-72s %7.2fx  %s%n", goal, value, met ? "met" : "not met");
    }
}
