package io.speculum.detector.command;

import io.speculum.detector.data.SettingEvaluation.Setting;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Which settings of continuations data choose the decision method: {@code calibrate} picks by them, {@code evaluate}
 * reports the decision's worst setting among them (a picocli mixin of both).
 */
final class DecisionOptions {

    @Option(names = "--decision-lengths", split = ",", defaultValue = "128,256",
            description = "lengths whose settings choose the decision method (continuations data; default ${DEFAULT-VALUE})")
    List<Integer> lengths;

    @Option(names = "--decision-settings", split = ",",
            description = "settings (generator/decoding, or a generator for all its decodings) that choose the decision method (default: every one in the data)")
    List<String> settings;

    /** Whether {@code s} is one of the deciding settings. */
    boolean decides(Setting s) {
        return lengths.contains(s.length())
                && (settings == null || settings.stream().anyMatch(g -> s.machine().equals(g) || s.machine().startsWith(g + "/")));
    }

    /** The deciding settings in words, e.g. {@code [128, 256] of [stories260K/T0.8-p0.95]}. */
    String describe() {
        return lengths + (settings == null ? "" : " of " + settings);
    }
}
