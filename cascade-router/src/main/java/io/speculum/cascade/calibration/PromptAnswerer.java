package io.speculum.cascade.calibration;

import io.speculum.cascade.deferral.AnswerUncertainty;
import io.speculum.protocol.GenerationEvent.FinishReason;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Answers one calibration prompt with the small and the large model, judges the small answer (a user's judgement or
 * the chosen {@link Quality}), and replays the large answer with and without the small one as draft text.
 */
final class PromptAnswerer {

    /** How a small answer is judged without a user's judgement. */
    enum Quality { AGREEMENT, LIKELIHOOD }

    /** What calibration needs of an answered prompt, and the line {@code --examples-out} writes for it. */
    record Answered(CalibrationExample example, Map<String, Object> line) {
    }

    private final InProcessGenerator small;
    private final InProcessGenerator large;
    private final String smallPromptSuffix;
    private final int maxTokens;
    private final List<String> stops;
    private final Quality quality;
    private final int draftTokens;

    PromptAnswerer(InProcessGenerator small, InProcessGenerator large, String smallPromptSuffix, int maxTokens, List<String> stops,
                   Quality quality, int draftTokens) {
        this.small = small;
        this.large = large;
        this.smallPromptSuffix = smallPromptSuffix;
        this.maxTokens = maxTokens;
        this.stops = stops;
        this.quality = quality;
        this.draftTokens = draftTokens;
    }

    /** @param judged the user's judgement of this prompt, null to judge by {@link Quality} */
    Answered answer(CalibrationFiles.Prompt prompt, CalibrationFiles.Judgement judged) {
        InProcessGenerator.Generated smallAnswer = small.generate(prompt.text() + smallPromptSuffix, maxTokens, stops);
        String smallText = smallPromptSuffix + smallAnswer.text();
        InProcessGenerator.Generated largeAnswer = large.generate(prompt.text(), maxTokens, stops);
        double smallQuality;
        double largeQuality;
        if (judged != null) {
            smallQuality = judged.smallQuality();
            largeQuality = judged.largeQuality();
        } else if (quality == Quality.AGREEMENT) {
            smallQuality = AnswerAgreement.firstSentenceF1(smallText, largeAnswer.text());
            largeQuality = 1;
        } else {
            smallQuality = likelihood(prompt.text(), smallText);
            largeQuality = likelihood(prompt.text(), largeAnswer.text());
        }
        int[] hint = DraftTextReplay.hintTokens(large.model(), prompt.text(), largeAnswer.promptTokens(), smallText);
        boolean stopped = largeAnswer.finish() == FinishReason.STOP;
        DraftTextReplay withHint = DraftTextReplay.of(largeAnswer.promptTokens(), largeAnswer.tokens(), stopped, maxTokens, hint, draftTokens);
        DraftTextReplay alone = DraftTextReplay.of(largeAnswer.promptTokens(), largeAnswer.tokens(), stopped, maxTokens, new int[0], draftTokens);
        CalibrationExample example = new CalibrationExample(prompt.id(), AnswerUncertainty.of(smallAnswer.confidence()), smallQuality,
                largeQuality, smallAnswer.tokens().length, largeAnswer.tokens().length, alone.rounds(), withHint.rounds());
        return new Answered(example, line(prompt, smallText, largeAnswer.text(), smallAnswer.finish(), example));
    }

    private static Map<String, Object> line(CalibrationFiles.Prompt prompt, String smallText, String largeText, FinishReason smallFinish,
                                            CalibrationExample example) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("id", prompt.id());
        line.put("prompt", prompt.text());
        line.put("smallText", smallText);
        line.put("largeText", largeText);
        line.put("smallQuality", example.smallQuality());
        line.put("largeQuality", example.largeQuality());
        line.put("logProbs", example.uncertainty().logProbs());
        line.put("entropies", example.uncertainty().entropies());
        line.put("margins", Arrays.stream(example.uncertainty().margins()).mapToObj(m -> Double.isFinite(m) ? (Object) m : null).toList());
        line.put("smallFinish", smallFinish);
        line.put("scratchRounds", example.scratchRounds());
        line.put("speculativeRounds", example.speculativeRounds());
        return line;
    }

    private double likelihood(String prompt, String answer) {
        double mean = large.meanLogLikelihood(prompt, answer);
        return Double.isNaN(mean) ? 0 : Math.exp(mean);
    }
}
