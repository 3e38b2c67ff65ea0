package io.speculum.cascade.calibration;

import io.speculum.generation.CompletionTracker;
import io.speculum.generation.SingleSequenceLoop;
import io.speculum.llama.ContextOptions;
import io.speculum.llama.DecodeBatch;
import io.speculum.llama.InferenceContext;
import io.speculum.llama.Model;
import io.speculum.math.SamplingParams;
import io.speculum.math.SpeculativeSampling;
import io.speculum.math.TokenObservation;
import io.speculum.math.TokenSampler;
import io.speculum.math.TokenStatistics;
import io.speculum.protocol.GenerationEvent.FinishReason;
import io.speculum.protocol.GenerationEvent.TokenConfidence;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Greedy generation with one model in this process, one token per decode, with each token's confidence: what the
 * drafter-service's small-model generation and the verifier compute, without Kafka (for calibration runs and as the
 * target-only reference in tests). The context is batch-invariant, so logits equal the services' own.
 */
public final class InProcessGenerator implements AutoCloseable {

    private static final int BATCH = 64;

    private final Model model;
    private final InferenceContext context;

    /** One generation: its tokens and text (as round events carry it), each token's confidence, why it stopped. */
    public record Generated(int[] promptTokens, int[] tokens, String text, List<TokenConfidence> confidence, FinishReason finish) {
    }

    public InProcessGenerator(Model model) {
        this.model = model;
        // one thread: single-token decodes of tiny models gain nothing from more, and lose much on a busy machine
        this.context = model.newContext(ContextOptions.defaults(model.metadata().trainingContext()).withBatchSize(BATCH)
                .withThreads(1).withBatchInvariance(true));
    }

    public Model model() {
        return model;
    }

    public Generated generate(String prompt, int maxTokens) {
        return generate(prompt, maxTokens, List.of());
    }

    /** Generates until EOS, {@code maxTokens}, the context's end or one of {@code stops} (as a request's stop list). */
    public Generated generate(String prompt, int maxTokens, List<String> stops) {
        int[] promptTokens = model.vocabulary().tokenize(prompt, true, false);
        if (promptTokens.length >= context.positionLimit()) {
            throw new IllegalArgumentException("the prompt has " + promptTokens.length + " tokens; the context holds " + context.positionLimit());
        }
        GreedyAnswer answer = new GreedyAnswer(promptTokens, new CompletionTracker(model.vocabulary(), stops, promptTokens.length,
                maxTokens, context.positionLimit()));
        SingleSequenceLoop.run(context, answer);
        return answer.generated();
    }

    /** The greedy token each step, with its confidence, until the tracker finishes the completion. */
    private static final class GreedyAnswer implements SingleSequenceLoop.Sequence {

        private static final SamplingParams GREEDY = SamplingParams.greedy();

        private final int[] promptTokens;
        private final CompletionTracker tracker;
        private final List<Integer> tokens = new ArrayList<>();
        private final List<TokenConfidence> confidence = new ArrayList<>();
        private final StringBuilder text = new StringBuilder();
        private FinishReason finish;

        GreedyAnswer(int[] promptTokens, CompletionTracker tracker) {
            this.promptTokens = promptTokens;
            this.tracker = tracker;
        }

        @Override
        public int[] prompt() {
            return promptTokens;
        }

        @Override
        public int choose(float[] logits, int position) {
            return SpeculativeSampling.sampleTarget(TokenSampler.distribution(logits, GREEDY), 0, position);
        }

        @Override
        public boolean accept(int token, float[] logits, int position) {
            TokenObservation observed = TokenStatistics.observe(logits, token);
            CompletionTracker.Commit commit = tracker.commit(new int[] {token});
            for (int t : commit.tokens()) {
                tokens.add(t);
                confidence.add(new TokenConfidence(t, observed.logProb(), observed.entropy(), TokenStatistics.topTwoMargin(logits)));
            }
            text.append(commit.text());
            if (commit.finish() != null) {
                text.append(tracker.flush());
                finish = commit.finish();
            }
            return finish == null;
        }

        Generated generated() {
            return new Generated(promptTokens, tokens.stream().mapToInt(Integer::intValue).toArray(), text.toString(), confidence, finish);
        }
    }

    /** The model's mean log-probability per token of {@code continuation} after {@code prompt} (batched decodes). */
    public double meanLogLikelihood(String prompt, String continuation) {
        int[] promptTokens = model.vocabulary().tokenize(prompt, true, false);
        int[] joint = model.vocabulary().tokenize(prompt + continuation, true, false);
        int common = 0;
        while (common < promptTokens.length && common < joint.length && joint[common] == promptTokens[common]) {
            common++;
        }
        int[] scored = Arrays.copyOf(joint, Math.min(joint.length, context.positionLimit()));
        if (scored.length <= common || common == 0) {
            return Double.NaN;
        }
        context.clear();
        DecodeBatch batch = new DecodeBatch();
        double sum = 0;
        for (int start = 0; start < scored.length - 1; start += BATCH) {
            int end = Math.min(scored.length - 1, start + BATCH);
            batch.clear();
            batch.addSequence(0, Arrays.copyOfRange(scored, start, end), start, true);
            context.decode(batch);
            for (int i = Math.max(start, common - 1); i < end; i++) {
                sum += TokenStatistics.logProbability(context.logits(i - start), scored[i + 1]);
            }
        }
        return sum / (scored.length - common);
    }

    @Override
    public void close() {
        context.close();
    }
}
