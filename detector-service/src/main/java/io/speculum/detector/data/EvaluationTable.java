package io.speculum.detector.data;

import io.speculum.detector.DetectionMethods;
import io.speculum.detector.TextScorer;
import io.speculum.detector.calibration.Roc;
import io.speculum.detector.scoring.TextEvidence;
import io.speculum.detector.scoring.TextScore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Scores labelled texts with every available method and measures how well each separates machine from human. */
public final class EvaluationTable {

    /** One method's oriented scores on the machine and human texts, and its ROC. */
    public record MethodResult(String method, double[] machine, double[] human, Roc roc) {

        public double auroc() {
            return roc.auroc();
        }

        public double tprAt(double fpr) {
            return roc.truePositiveRateAt(fpr);
        }
    }

    private static final int TEXTS_PER_CALL = 16;

    private EvaluationTable() {
    }

    /** Evidence for each text, scored {@value #TEXTS_PER_CALL} at a time. */
    public static List<TextEvidence> evidence(TextScorer scorer, List<LabelledText> texts) {
        List<TextEvidence> out = new ArrayList<>();
        for (int from = 0; from < texts.size(); from += TEXTS_PER_CALL) {
            List<int[]> tokens = new ArrayList<>();
            for (LabelledText t : texts.subList(from, Math.min(texts.size(), from + TEXTS_PER_CALL))) {
                tokens.add(scorer.observers().scoring().vocabulary().tokenize(t.text()));
            }
            out.addAll(scorer.scoreNow(tokens));
        }
        return out;
    }

    /** Per available method, in {@link DetectionMethods#ALL} order. */
    public static Map<String, MethodResult> evaluate(DetectionMethods methods, List<LabelledText> texts, List<TextEvidence> evidence) {
        Map<String, MethodResult> out = new LinkedHashMap<>();
        for (String name : methods.availableNames()) {
            TextScore method = methods.get(name);
            List<Double> machine = new ArrayList<>();
            List<Double> human = new ArrayList<>();
            for (int i = 0; i < texts.size(); i++) {
                (texts.get(i).machine() ? machine : human).add(method.oriented(evidence.get(i)));
            }
            double[] m = machine.stream().mapToDouble(Double::doubleValue).toArray();
            double[] h = human.stream().mapToDouble(Double::doubleValue).toArray();
            out.put(name, new MethodResult(name, m, h, new Roc(m, h)));
        }
        return out;
    }

    /** Drops texts the scorer cannot score: fewer than three tokens, or characters its vocabulary cannot spell. */
    public static List<LabelledText> scorable(TextScorer scorer, List<LabelledText> texts) {
        return texts.stream().filter(t -> {
            try {
                return scorer.observers().scoring().vocabulary().tokenize(t.text()).length >= 3;
            } catch (io.speculum.llama.LlamaException e) {
                return false;
            }
        }).toList();
    }
}
