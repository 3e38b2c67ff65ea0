package io.speculum.detector.command;

import io.speculum.detector.DetectionMethods;
import io.speculum.detector.TextScorer;
import io.speculum.detector.data.EvaluationTable;
import io.speculum.detector.data.LabelledText;
import io.speculum.detector.data.LabelledTexts;
import io.speculum.detector.data.SettingEvaluation;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code scores}: every method's oriented score (higher: more machine-like) of every scorable text, one JSON object a
 * line with the text's id, split, setting, length and token count, for analyses outside the service.
 */
@Command(name = "scores", mixinStandardHelpOptions = true, description = "Write every method's oriented score of every text (JSON lines).")
public final class ScoresCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ObserverOptions observer;

    @Option(names = "--texts", required = true)
    Path texts;

    @Option(names = "--out", required = true)
    Path out;

    @Override
    public Integer call() throws Exception {
        PrintWriter console = spec.commandLine().getOut();
        JsonMapper json = JsonMapper.builder().build();
        try (ObserverOptions.Loaded loaded = observer.load();
             TextScorer scorer = new TextScorer(loaded.observers(), observer.scorerOptions())) {
            DetectionMethods methods = observer.methods(loaded.observers());
            List<String> names = methods.availableNames();
            List<LabelledText> all = LabelledTexts.read(texts, null);
            List<LabelledText> scorable = EvaluationTable.scorable(scorer, all);
            List<SettingEvaluation.Scored> scored = SettingEvaluation.score(methods, names, scorable, EvaluationTable.evidence(scorer, scorable));
            List<String> lines = new ArrayList<>();
            for (SettingEvaluation.Scored s : scored) {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("id", s.text().id());
                line.put("split", s.text().split());
                line.put("machine", s.text().machine());
                line.put("setting", s.text().setting());
                line.put("length", s.text().length());
                line.put("tokens", s.tokens());
                Map<String, Double> byMethod = new LinkedHashMap<>();
                for (int m = 0; m < names.size(); m++) {
                    byMethod.put(names.get(m), s.oriented()[m]);
                }
                line.put("scores", byMethod);
                lines.add(json.writeValueAsString(line));
            }
            Files.write(out, lines);
            console.printf("observers %s: scored %d of %d texts; wrote %s%n", loaded.observers().name(), scored.size(), all.size(), out);
        }
        return 0;
    }
}
