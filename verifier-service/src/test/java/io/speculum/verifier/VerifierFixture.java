package io.speculum.verifier;

import io.speculum.drafter.DraftService;
import io.speculum.drafter.drafters.HybridDrafter;
import io.speculum.drafter.drafters.ModelDrafter;
import io.speculum.drafter.drafters.NGramDrafter;
import io.speculum.drafter.drafters.RecyclingDrafter;
import io.speculum.drafter.drafters.SuccessorTable;
import io.speculum.llama.ContextOptions;
import io.speculum.llama.EngineOptions;
import io.speculum.llama.InferenceEngine;
import io.speculum.llama.Model;
import io.speculum.math.SamplingParams;
import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.SpeculationPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the verifier tests set up: verifiers over an in-process link with the engine a service would build, drafter
 * services with every drafter, requests, the shared prompts. Closes what it opened, newest first.
 */
final class VerifierFixture implements AutoCloseable {

    /** A fixed cost curve, so tests do not spend start-up measuring one (and AUTO decides the same way every run). */
    static final CostCurve FIXED_COST = CostCurve.of(1.0, java.util.Map.of(1, 1.0, 2, 1.1, 4, 1.3, 8, 1.6));
    static final Path SHARED = Path.of(System.getProperty("speculum.shared.dir", "../../shared"));
    private static final Pattern PROMPT = Pattern.compile("\"prompt\": \"((?:[^\"\\\\]|\\\\.)*)\"");

    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("verifier-timer").unstarted(r));
    private final List<AutoCloseable> opened = new ArrayList<>();

    /**
     * A verifier of {@code target} with a batch-invariant (or deterministic) engine sized as the service sizes it.
     *
     * @param cost null: measured at start
     */
    SpeculativeVerifier verifier(Model target, InProcessLink link, VerifierSettings settings, CostCurve cost, boolean deterministic) {
        int cells = settings.sequenceContext() * settings.maxSessions();
        InferenceEngine engine = new InferenceEngine(target, ContextOptions.defaults(ContextOptions.cellsFor(cells, deterministic))
                .withMaxSequences(settings.engineSequences()).withBatchSize(64).withBatchInvariance(true).withDeterminism(deterministic),
                EngineOptions.named("verifier"));
        opened.add(engine);
        SpeculativeVerifier verifier = cost == null ? new SpeculativeVerifier(target, engine, settings, link, timer)
                : new SpeculativeVerifier(target, engine, settings, link, timer, cost);
        link.connect(verifier);
        opened.add(verifier);
        return verifier;
    }

    /** A drafter service with the model drafter over {@code model}, n-gram, recycling and hybrid drafters. */
    DraftService drafterService(Model model) {
        InferenceEngine engine = new InferenceEngine(model, ContextOptions.defaults(512 * 8).withMaxSequences(8).withBatchSize(64)
                .withThreads(1), EngineOptions.named("drafter"));
        String vocabulary = model.vocabulary().fingerprint().toString();
        SuccessorTable table = new SuccessorTable(4096, 8);
        DraftService service = new DraftService(List.of(new ModelDrafter("model", model, engine), new NGramDrafter(vocabulary),
                new RecyclingDrafter(vocabulary, table), new HybridDrafter(vocabulary, table, 64)), "model");
        opened.add(service);
        return service;
    }

    /** Closes {@code resource} with what this fixture opened (after what is opened later). */
    <T extends AutoCloseable> T closeLater(T resource) {
        opened.add(resource);
        return resource;
    }

    static GenerateRequest request(String id, String prompt, int tokens, SamplingParams sampling, SpeculationPolicy policy) {
        return new GenerateRequest(id, "replies", "stories260K", prompt, null, tokens, sampling, List.of(), policy, 0, 0);
    }

    /** The first {@code limit} prompts of {@code prompts-a.jsonl}. */
    static List<String> prompts(int limit) {
        try {
            return Files.readAllLines(SHARED.resolve("data/tinystories/prompts-a.jsonl")).stream().limit(limit).map(line -> {
                Matcher m = PROMPT.matcher(line);
                if (!m.find()) {
                    throw new IllegalStateException("no prompt in " + line);
                }
                return m.group(1).replace("\\\"", "\"").replace("\\\\", "\\");
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Closes the verifiers, engines and drafter services opened so far (after each test). */
    void closeOpened() throws Exception {
        for (AutoCloseable c : opened.reversed()) {
            c.close();
        }
        opened.clear();
    }

    @Override
    public void close() throws Exception {
        closeOpened();
        timer.shutdownNow();
    }
}
