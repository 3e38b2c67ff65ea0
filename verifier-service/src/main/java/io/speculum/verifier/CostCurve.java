package io.speculum.verifier;

import io.speculum.llama.InferenceEngine;
import io.speculum.llama.SequenceDecode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * What one decode of n tokens costs the verifier: {@code singleTokenMillis} for one token, times a relative factor
 * that grows with n (on a CPU, verifying 4 tokens of a ~150M-parameter model costs about 2.4 times one token, 8
 * about 3.4 times). Known at a few n, linear in between and beyond the last two points. Measured at start-up with
 * timed decodes ({@link #measure}), or configured, which keeps tests deterministic on a loaded machine.
 */
public record CostCurve(double singleTokenMillis, TreeMap<Integer, Double> relative) {

    public CostCurve {
        if (!(singleTokenMillis > 0)) {
            throw new IllegalArgumentException("singleTokenMillis must be > 0, got " + singleTokenMillis);
        }
        relative = new TreeMap<>(relative);
        relative.put(1, 1.0);
        double previous = 0;
        for (Map.Entry<Integer, Double> e : relative.entrySet()) {
            if (e.getKey() < 1 || !(e.getValue() >= previous)) {
                throw new IllegalArgumentException("relative costs must be given for n >= 1 and not decrease with n: " + relative);
            }
            previous = e.getValue();
        }
    }

    public static CostCurve of(double singleTokenMillis, Map<Integer, Double> relative) {
        return new CostCurve(singleTokenMillis, new TreeMap<>(relative));
    }

    /** The cost of n tokens relative to one. */
    public double relative(int n) {
        if (n <= 1) {
            return 1.0;
        }
        Map.Entry<Integer, Double> below = relative.floorEntry(n);
        Map.Entry<Integer, Double> above = relative.ceilingEntry(n);
        if (above == null) { // beyond the last point: continue the last segment
            Map.Entry<Integer, Double> before = relative.lowerEntry(below.getKey());
            if (before == null) {
                return below.getValue();
            }
            below = before;
            above = relative.floorEntry(n);
        }
        if (above.getKey().equals(below.getKey())) {
            return below.getValue();
        }
        double t = (double) (n - below.getKey()) / (above.getKey() - below.getKey());
        return below.getValue() + t * (above.getValue() - below.getValue());
    }

    /** Milliseconds one decode of n tokens takes. */
    public double millis(int n) {
        return singleTokenMillis * relative(n);
    }

    /**
     * Times decodes of 1, 2, 4, … tokens (up to the batch size and 16) on sequence {@code sequence} of an idle engine
     * and clears the sequence again. The sizes take turns, repetition after repetition, so that a burst of load on a
     * shared machine hits all of them alike; each size's median counts (after a warm-up round).
     */
    public static CostCurve measure(InferenceEngine engine, int sequence, int repetitions) {
        int max = Math.min(16, Math.min(engine.batchSize(), engine.positionLimit()));
        List<Integer> sizes = new ArrayList<>();
        for (int n = 1; n <= max; n *= 2) {
            sizes.add(n);
        }
        double[][] samples = new double[sizes.size()][repetitions];
        for (int r = -1; r < repetitions; r++) { // r = -1: warm-up
            for (int i = 0; i < sizes.size(); i++) {
                int[] tokens = new int[sizes.get(i)];
                Arrays.fill(tokens, 1);
                SequenceDecode decode = SequenceDecode.all(sequence, tokens, 0);
                long started = System.nanoTime();
                engine.decode(decode).join();
                if (r >= 0) {
                    samples[i][r] = (System.nanoTime() - started) / 1e6;
                }
            }
        }
        engine.submit(context -> {
            context.clearSequence(sequence);
            return null;
        }).orTimeout(1, TimeUnit.MINUTES).join();
        double[] medians = new double[sizes.size()];
        for (int i = 0; i < sizes.size(); i++) {
            Arrays.sort(samples[i]);
            medians[i] = samples[i][repetitions / 2];
        }
        double single = medians[0];
        TreeMap<Integer, Double> relative = new TreeMap<>();
        double previous = 1.0;
        for (int i = 0; i < sizes.size(); i++) {
            previous = Math.max(previous, medians[i] / single); // timing noise must not make more tokens cheaper
            relative.put(sizes.get(i), previous);
        }
        return new CostCurve(single, relative);
    }

    @Override
    public String toString() {
        return String.format("CostCurve[1 token %.3f ms, relative %s]", singleTokenMillis, relative);
    }
}
