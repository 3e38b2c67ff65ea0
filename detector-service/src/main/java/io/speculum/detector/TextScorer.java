package io.speculum.detector;

import io.speculum.detector.scoring.TextEvidence;
import io.speculum.detector.scoring.TokenEvidence;
import io.speculum.llama.ContextOptions;
import io.speculum.llama.DecodeBatch;
import io.speculum.llama.InferenceContext;
import io.speculum.llama.LlamaException;
import io.speculum.protocol.detection.DetectionError;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Turns tokenised texts into {@link TextEvidence}: one thread owns a context per observer and decodes the windows of
 * all texts of a request packed into as few decodes as the batch allows (one KV sequence per window), reading every
 * row it needs. With two observers, both decode the same batch and each token's evidence combines their rows.
 * The per-token statistics of one decode's rows (a pass over the vocabulary per row) run on a second thread while
 * the next decode runs, one decode ahead at most, so they cost no scoring time where a core is free.
 *
 * <p>Where an observer's output layer can be computed in Java ({@link OutputLayer}: F32 weights, the Vector API, and
 * the layer checked against llama.cpp's logits at start-up), its context stops each pass at the final norm and the
 * statistics thread projects the hidden states to logits: the vocabulary-sized part of every token leaves the
 * decoding thread, which then does little more than a prefill's work.
 *
 * <p>Contexts are batch-invariant, so a token's logits (on F32 models) do not depend on which other windows share its
 * decode: a text scores the same alone or in a batch. Work beyond {@code queueCapacity} is refused with
 * {@code OVERLOADED} at once.
 */
public final class TextScorer implements AutoCloseable {


    private final Observers observers;
    private final ScorerOptions options;
    private final ThreadPoolExecutor worker;
    private final ExecutorService statistics = Executors.newSingleThreadExecutor(
            runnable -> Thread.ofPlatform().name("detector-statistics").daemon(true).unstarted(runnable));
    private ObserverContext scoring;         // owned by the worker thread
    private ObserverContext reference;       // owned by the worker thread, null without a reference
    private InferenceContext prefillContext; // owned by the worker thread, opened by the first prefill where needed

    public TextScorer(Observers observers, ScorerOptions options) {
        this.observers = observers;
        int positionLimit = observers.scoring().metadata().trainingContext();
        if (observers.paired()) {
            positionLimit = Math.min(positionLimit, observers.reference().metadata().trainingContext());
        }
        if (options.window() > positionLimit) {
            options = options.withWindow(positionLimit, Math.min(options.overlap(), positionLimit / 4));
        }
        this.options = options;
        this.worker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(options.queueCapacity()),
                runnable -> Thread.ofPlatform().name("detector-scorer").daemon(true).unstarted(runnable));
        try {
            worker.submit(this::openContexts).get();
        } catch (ExecutionException e) {
            worker.shutdownNow();
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            worker.shutdownNow();
            throw new IllegalStateException("interrupted while opening the scorer's contexts", e);
        }
    }

    private ContextOptions contextOptions() {
        return new ContextOptions(options.batchSize(), options.batchSize(), options.batchSize(), options.maxSequences(),
                options.threads(), options.threads(), true);
    }

    private Void openContexts() {
        scoring = ObserverContext.open(observers.scoring(), contextOptions(), options.threads());
        if (observers.paired()) {
            reference = ObserverContext.open(observers.reference(), contextOptions(), options.threads());
        }
        return null;
    }

    /** Whether the scoring observer's output layer runs on the statistics thread (see the class comment). */
    public boolean projectsOffTheDecodingThread() {
        return scoring.layer() != null;
    }

    public Observers observers() {
        return observers;
    }

    public ScorerOptions options() {
        return options;
    }

    /** Evidence for each text (token ids as the scoring model tokenised them, BOS first), in order. */
    public CompletableFuture<List<TextEvidence>> score(List<int[]> texts) {
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i).length < 2) {
                return CompletableFuture.failedFuture(new DetectionException(DetectionError.Code.TEXT_TOO_SHORT,
                        "text " + i + " has " + texts.get(i).length + " token(s); scoring needs at least 2", i));
            }
        }
        try {
            return CompletableFuture.supplyAsync(() -> scoreOnWorker(texts), worker);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new DetectionException(DetectionError.Code.OVERLOADED,
                    "the detector's queue is full (" + options.queueCapacity() + " requests); retry later"));
        }
    }

    /** {@link #score} and wait. */
    public List<TextEvidence> scoreNow(List<int[]> texts) {
        try {
            return score(texts).get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while scoring", e);
        }
    }

    /**
     * Decodes the same windows as {@link #score} with logits only for each window's last token: raw prefill, in a
     * plain logits context (llama.cpp's whole forward pass) of the same sizes.
     */
    public CompletableFuture<Long> prefill(List<int[]> texts) {
        return CompletableFuture.supplyAsync(() -> {
            if (prefillContext == null) {
                prefillContext = scoring.layer() == null ? scoring.context() : observers.scoring().newContext(contextOptions());
            }
            long tokens = 0;
            for (List<Segment> round : rounds(segments(texts))) {
                DecodeBatch batch = new DecodeBatch(options.batchSize());
                for (int s = 0; s < round.size(); s++) {
                    Segment segment = round.get(s);
                    int[] text = texts.get(segment.text());
                    for (int j = 0; j < segment.window().length(); j++) {
                        batch.add(text[segment.window().start() + j], j, s, j == segment.window().length() - 1);
                    }
                }
                prefillContext.clear();
                prefillContext.decode(batch);
                tokens += batch.size();
            }
            return tokens;
        }, worker);
    }

    /** A window of one text, in one KV sequence of a decode. */
    record Segment(int text, Windows.Window window) {

        /** Predictions this window contributes: its tokens from the first it scores to its end. */
        int contributed() {
            return window.start() + window.length() - window.firstIndex();
        }
    }

    private List<Segment> segments(List<int[]> texts) {
        List<Segment> segments = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            for (Windows.Window w : Windows.plan(texts.get(i).length, options.window(), options.overlap())) {
                segments.add(new Segment(i, w));
            }
        }
        return segments;
    }

    /** Packs segments, in order, into decodes of at most the batch size and sequence count. */
    private List<List<Segment>> rounds(List<Segment> segments) {
        List<List<Segment>> rounds = new ArrayList<>();
        List<Segment> current = new ArrayList<>();
        int tokens = 0;
        for (Segment segment : segments) {
            int length = segment.window().length();
            if (!current.isEmpty() && (current.size() == options.maxSequences() || tokens + length > options.batchSize())) {
                rounds.add(current);
                current = new ArrayList<>();
                tokens = 0;
            }
            current.add(segment);
            tokens += length;
        }
        if (!current.isEmpty()) {
            rounds.add(current);
        }
        return rounds;
    }

    private List<TextEvidence> scoreOnWorker(List<int[]> texts) {
        List<List<Segment>> rounds = rounds(segments(texts));
        List<RoundEvidence> computed = new ArrayList<>();
        Future<?> pending = null;
        for (int i = 0; i < rounds.size(); i++) {
            List<Segment> round = rounds.get(i);
            DecodeBatch batch = new DecodeBatch(options.batchSize());
            int[] firstRow = new int[round.size()];
            for (int s = 0; s < round.size(); s++) {
                Segment segment = round.get(s);
                Windows.Window w = segment.window();
                int[] text = texts.get(segment.text());
                int firstLocalRow = w.firstIndex() - w.start() - 1; // the row predicting the first contributed index
                for (int j = 0; j < w.length(); j++) {
                    int index = batch.add(text[w.start() + j], j, s, j >= firstLocalRow && j < w.length() - 1);
                    if (j == firstLocalRow) {
                        firstRow[s] = index;
                    }
                }
            }
            decode(scoring.context(), batch);
            ObserverRows scoringRows = scoring.read(round, firstRow);
            ObserverRows referenceRows = null;
            if (reference != null) {
                decode(reference.context(), batch);
                referenceRows = reference.read(round, firstRow);
            }
            RoundEvidence current = RoundEvidence.plan(texts, round, scoringRows, referenceRows);
            computed.add(current);
            awaitStatistics(pending); // at most one decode's rows wait: the statistics thread runs them in order
            if (i < rounds.size() - 1) {
                pending = statistics.submit(() -> current.compute(0, current.size()));
            } else { // nothing left to decode: the decoding thread takes half of the last round's statistics
                int half = current.size() / 2 / ObserverRows.GROUP * ObserverRows.GROUP;
                pending = statistics.submit(() -> current.compute(0, half));
                current.compute(half, current.size());
            }
        }
        awaitStatistics(pending);
        List<List<TokenEvidence>> evidence = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            evidence.add(new ArrayList<>());
        }
        for (RoundEvidence round : computed) { // rounds and rows are in index order within each text
            for (int r = 0; r < round.size(); r++) {
                evidence.get(round.text()[r]).add(round.evidence()[r]);
            }
        }
        List<TextEvidence> out = new ArrayList<>();
        for (List<TokenEvidence> tokens : evidence) {
            out.add(new TextEvidence(tokens, reference != null));
        }
        return out;
    }

    private static void awaitStatistics(Future<?> pending) {
        if (pending == null) {
            return;
        }
        try {
            pending.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while computing token statistics", e);
        }
    }

    private static void decode(InferenceContext context, DecodeBatch batch) {
        context.clear();
        try {
            context.decode(batch);
        } catch (LlamaException e) {
            throw new DetectionException(DetectionError.Code.INTERNAL, "decoding failed: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        try {
            worker.submit(() -> {
                if (prefillContext != null && prefillContext != scoring.context()) {
                    prefillContext.close();
                }
                if (reference != null) {
                    reference.close();
                }
                if (scoring != null) {
                    scoring.close();
                }
            }).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // the contexts go with the model; nothing else to free
        } finally {
            worker.shutdownNow();
            statistics.shutdownNow();
        }
    }
}
