package io.speculum.detector.data;

import io.speculum.detector.DetectionMethods;
import io.speculum.detector.calibration.Calibration;
import io.speculum.detector.calibration.MethodCalibration;
import io.speculum.detector.calibration.ProportionInterval;
import io.speculum.detector.calibration.Roc;
import io.speculum.detector.scoring.TextEvidence;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Detection per setting (how the machine texts were made, and their length) of the {@code continuations} data: each
 * setting's machine texts against the human texts of the same length, per method. With a calibration, the realised
 * false-positive rate of its thresholds on these human texts, with a 95% interval.
 */
public final class SettingEvaluation {

    /** A generator and decoding ({@link LabelledText#setting()}) at a nominal length. */
    public record Setting(String machine, int length) {

        public String label() {
            return machine + " " + length;
        }
    }

    /** A text's oriented score under each method (in the order of the names it was scored with) and its token count. */
    public record Scored(LabelledText text, int tokens, double[] oriented) {
    }

    /**
     * One method in one setting.
     *
     * @param tprAtFpr       TPR at the threshold that lets {@code fpr} of these very human texts through (the ROC's own)
     * @param calibratedTpr  TPR at the calibration's threshold (NaN without a calibration)
     * @param realisedFpr    the calibration's threshold on these human texts (null without a calibration)
     */
    public record Row(Setting setting, String method, int machineTexts, int humanTexts, double auroc, double tprAtFpr,
                      double calibratedTpr, ProportionInterval realisedFpr, Roc roc) {
    }

    private SettingEvaluation() {
    }

    public static List<Scored> score(DetectionMethods methods, List<String> names, List<LabelledText> texts, List<TextEvidence> evidence) {
        List<Scored> out = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            double[] oriented = new double[names.size()];
            for (int m = 0; m < names.size(); m++) {
                oriented[m] = methods.get(names.get(m)).oriented(evidence.get(i));
            }
            out.add(new Scored(texts.get(i), evidence.get(i).size(), oriented));
        }
        return out;
    }

    /** Rows for every setting of the machine texts and every method, settings in name then length order. */
    public static List<Row> rows(List<String> names, List<Scored> scored, double fpr, Calibration calibration) {
        Map<Integer, List<Scored>> humanByLength = new TreeMap<>();
        Map<Setting, List<Scored>> machineBySetting = new TreeMap<>(Comparator.comparing(Setting::machine).thenComparingInt(Setting::length));
        for (Scored s : scored) {
            if (s.text().machine()) {
                machineBySetting.computeIfAbsent(new Setting(s.text().setting(), s.text().length()), k -> new ArrayList<>()).add(s);
            } else {
                humanByLength.computeIfAbsent(s.text().length(), k -> new ArrayList<>()).add(s);
            }
        }
        List<Row> out = new ArrayList<>();
        machineBySetting.forEach((setting, machine) -> {
            List<Scored> human = humanByLength.get(setting.length());
            if (human == null) {
                return;
            }
            for (int m = 0; m < names.size(); m++) {
                int method = m;
                double[] pos = machine.stream().mapToDouble(s -> s.oriented()[method]).toArray();
                double[] neg = human.stream().mapToDouble(s -> s.oriented()[method]).toArray();
                Roc roc = new Roc(pos, neg);
                MethodCalibration c = calibration == null ? null : calibration.methods().get(names.get(m));
                double calibratedTpr = Double.NaN;
                ProportionInterval realised = null;
                if (c != null) {
                    calibratedTpr = machine.stream().filter(s -> c.isMachine(s.oriented()[method], s.tokens())).count() / (double) machine.size();
                    realised = ProportionInterval.wilson((int) human.stream().filter(s -> c.isMachine(s.oriented()[method], s.tokens())).count(),
                            human.size());
                }
                out.add(new Row(setting, names.get(m), pos.length, neg.length, roc.auroc(), roc.truePositiveRateAt(fpr),
                        calibratedTpr, realised, roc));
            }
        });
        return out;
    }

    /** Per method, its row with the lowest AUROC among the settings {@code which} accepts. */
    public static Map<String, Row> worst(List<Row> rows, Predicate<Setting> which) {
        Map<String, Row> out = new LinkedHashMap<>();
        for (Row r : rows) {
            if (which.test(r.setting())) {
                out.merge(r.method(), r, (a, b) -> b.auroc() < a.auroc() ? b : a);
            }
        }
        return out;
    }

    /** Per method: Platt scaling on all texts, and thresholds at {@code fpr} per length of the human texts. */
    public static Map<String, MethodCalibration> calibrate(List<String> names, List<Scored> scored, double fpr) {
        Map<String, MethodCalibration> out = new LinkedHashMap<>();
        Map<Integer, List<Scored>> humanByLength = new TreeMap<>();
        scored.stream().filter(s -> !s.text().machine()).forEach(s -> humanByLength.computeIfAbsent(s.text().length(), k -> new ArrayList<>()).add(s));
        for (int m = 0; m < names.size(); m++) {
            int method = m;
            double[] machine = scored.stream().filter(s -> s.text().machine()).mapToDouble(s -> s.oriented()[method]).toArray();
            double[] human = scored.stream().filter(s -> !s.text().machine()).mapToDouble(s -> s.oriented()[method]).toArray();
            Map<Integer, double[]> byTokens = new TreeMap<>();
            humanByLength.values().forEach(group -> byTokens.put(
                    MethodCalibration.median(group.stream().mapToInt(Scored::tokens).toArray()),
                    group.stream().mapToDouble(s -> s.oriented()[method]).toArray()));
            out.put(names.get(m), MethodCalibration.fit(machine, human, fpr, byTokens));
        }
        return out;
    }
}
