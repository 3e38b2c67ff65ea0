package io.speculum.detector;

import io.speculum.detector.calibration.Calibration;
import io.speculum.detector.calibration.MethodCalibration;
import io.speculum.detector.scoring.TextEvidence;
import io.speculum.detector.scoring.TextScore;
import io.speculum.detector.scoring.TokenEvidence;
import io.speculum.llama.LlamaException;
import io.speculum.llama.Vocabulary;
import io.speculum.protocol.detection.DetectReply;
import io.speculum.protocol.detection.DetectRequest;
import io.speculum.protocol.detection.DetectionError;
import io.speculum.protocol.detection.EvidenceSpan;
import io.speculum.protocol.detection.MethodScore;
import io.speculum.protocol.detection.TextDetection;
import io.speculum.protocol.detection.TokenContribution;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Detection of whole requests: checks the input, tokenises, scores every text in one batched pass, applies the
 * requested methods and the calibration, and adds per-token evidence when asked. Bad input becomes a
 * {@link DetectionError}, never an exception out of {@link #detect}.
 */
public final class Detector {

    /** Tokens of the highest-scoring spans. */
    static final int SPAN_TOKENS = 8;
    static final int SPANS = 3;

    private final TextScorer scorer;
    private final DetectionMethods methods;
    private final Calibration calibration;
    private final Limits limits;

    /**
     * @param maxTexts  texts one request may carry
     * @param maxTokens tokens one request may carry in total
     */
    public record Limits(int maxTexts, int maxTokens) {
    }

    public Detector(TextScorer scorer, DetectionMethods methods, Calibration calibration, Limits limits) {
        this.scorer = scorer;
        this.methods = methods;
        this.calibration = calibration;
        this.limits = limits;
        if (calibration != null && calibration.decisionMethod() != null) {
            methods.get(calibration.decisionMethod()); // fails at start if the decision method cannot run here
        }
    }

    public String observers() {
        return scorer.observers().name();
    }

    public DetectionMethods methods() {
        return methods;
    }

    public Calibration calibration() {
        return calibration;
    }

    /** The reply to {@code request}; completes normally, with an error reply when the request cannot be served. */
    public CompletableFuture<DetectReply> detect(DetectRequest request) {
        List<TextScore> selected;
        List<int[]> tokenised;
        try {
            if (request.texts() == null || request.texts().isEmpty()) {
                throw new DetectionException(DetectionError.Code.INVALID_REQUEST, "a request needs at least one text (texts)");
            }
            if (request.texts().size() > limits.maxTexts()) {
                throw new DetectionException(DetectionError.Code.BATCH_TOO_LARGE, "a request may carry at most "
                        + limits.maxTexts() + " texts, this one has " + request.texts().size());
            }
            selected = methods.resolve(request.methods());
            tokenised = tokenise(request.texts());
        } catch (DetectionException e) {
            return CompletableFuture.completedFuture(DetectReply.failed(request.requestId(), observers(), e.toError()));
        }
        return scorer.score(tokenised)
                .thenApply(evidence -> {
                    List<TextDetection> results = new ArrayList<>();
                    for (int i = 0; i < evidence.size(); i++) {
                        results.add(result(i, request.texts().get(i), tokenised.get(i), evidence.get(i), selected, request.tokens()));
                    }
                    return new DetectReply(request.requestId(), observers(), results, null);
                })
                .exceptionally(failure -> DetectReply.failed(request.requestId(), observers(), errorOf(failure)));
    }

    private List<int[]> tokenise(List<String> texts) {
        Vocabulary vocabulary = scorer.observers().scoring().vocabulary();
        List<int[]> out = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < texts.size(); i++) {
            String text = texts.get(i);
            if (text == null || text.isBlank()) {
                throw new DetectionException(DetectionError.Code.EMPTY_TEXT, "text " + i + " is empty", i);
            }
            if (!StandardCharsets.UTF_8.newEncoder().canEncode(text)) {
                throw new DetectionException(DetectionError.Code.INVALID_UTF8, "text " + i
                        + " holds an unpaired UTF-16 surrogate, which has no UTF-8 encoding", i);
            }
            int[] tokens;
            try {
                tokens = vocabulary.tokenize(text);
            } catch (LlamaException e) {
                throw new DetectionException(DetectionError.Code.INVALID_REQUEST, "text " + i + ": " + e.getMessage(), i);
            }
            int predicted = tokens.length - 1;
            if (predicted < 2) {
                throw new DetectionException(DetectionError.Code.TEXT_TOO_SHORT, "text " + i + " has " + Math.max(0, predicted)
                        + " token(s) after the first; scoring needs at least 2", i);
            }
            total += tokens.length;
            if (total > limits.maxTokens()) {
                throw new DetectionException(DetectionError.Code.BATCH_TOO_LARGE, "the request's texts hold more than "
                        + limits.maxTokens() + " tokens in total (the limit per request)", i);
            }
            out.add(tokens);
        }
        return out;
    }

    private TextDetection result(int index, String text, int[] tokens, TextEvidence evidence, List<TextScore> selected,
                                 boolean withTokens) {
        List<MethodScore> scores = new ArrayList<>();
        for (TextScore method : selected) {
            scores.add(score(method, evidence));
        }
        MethodScore decision = null;
        TextScore evidenceMethod = selected.getFirst();
        if (calibration != null && calibration.decisionMethod() != null) {
            evidenceMethod = methods.get(calibration.decisionMethod());
            decision = score(evidenceMethod, evidence);
        }
        List<TokenContribution> tokenEvidence = null;
        List<EvidenceSpan> spans = null;
        if (withTokens) {
            TokenOffsets offsets = TokenOffsets.of(scorer.observers().scoring().vocabulary(), tokens, text);
            double[] contributions = evidenceMethod.contributions(evidence);
            tokenEvidence = new ArrayList<>();
            for (int t = 0; t < evidence.size(); t++) {
                TokenEvidence e = evidence.get(t);
                tokenEvidence.add(new TokenContribution(e.index(), e.token(), offsets.piece(e.index()), offsets.starts()[e.index()],
                        offsets.ends()[e.index()], e.logProb(), e.rank(), contributions[t]));
            }
            spans = new ArrayList<>();
            for (EvidenceSpans.Span span : EvidenceSpans.top(contributions, SPAN_TOKENS, SPANS)) {
                int start = offsets.starts()[evidence.get(span.first()).index()];
                int end = offsets.ends()[evidence.get(span.last()).index()];
                spans.add(new EvidenceSpan(span.first(), span.last(), start, end,
                        offsets.text().substring(Math.min(start, offsets.text().length()), Math.min(end, offsets.text().length())),
                        span.sum()));
            }
        }
        return new TextDetection(index, tokens.length, scores, decision, tokenEvidence, spans);
    }

    private MethodScore score(TextScore method, TextEvidence evidence) {
        double score = method.score(evidence);
        MethodCalibration c = calibration == null ? null : calibration.methods().get(method.name());
        if (c == null) {
            return new MethodScore(method.name(), score, method.machineDirection(), null, null, null, null);
        }
        double oriented = method.machineDirection() * score;
        double threshold = c.thresholdFor(evidence.size());
        return new MethodScore(method.name(), score, method.machineDirection(), c.platt().probability(oriented),
                oriented > threshold ? MethodScore.MACHINE : MethodScore.HUMAN, threshold, c.falsePositiveRate());
    }

    static DetectionError errorOf(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof DetectionException e) {
            return e.toError();
        }
        return new DetectionError(DetectionError.Code.INTERNAL, "scoring failed: " + cause, null);
    }
}
