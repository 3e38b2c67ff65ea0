package io.speculum.detector.calibration;

import java.util.Map;
import java.util.TreeMap;

/**
 * Calibrations for one observer (setup), per method, as the {@code calibrate} command writes them.
 *
 * @param observers which observer setup the scores came from, e.g. {@code stories260K} or {@code stories260K+q8_0}
 * @param decisionMethod the method whose label is the text's overall decision (the best on the calibration split)
 */
public record Calibration(String vocabularyFingerprint, String observers, String fittedOn, String decisionMethod,
                          Map<String, MethodCalibration> methods) {

    public Calibration {
        methods = new TreeMap<>(methods);
        if (decisionMethod != null && !methods.containsKey(decisionMethod)) {
            throw new IllegalArgumentException("decision method " + decisionMethod + " has no calibration");
        }
    }
}
