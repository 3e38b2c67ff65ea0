package io.speculum.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.speculum.llama.ContextOptions;
import io.speculum.llama.Greedy;
import io.speculum.llama.InferenceContext;
import io.speculum.llama.Model;
import io.speculum.llama.TestModels;
import io.speculum.llama.Vocabulary;
import io.speculum.math.TokenSampler;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The single-sequence loop on the real models: the bare greedy loop's tokens, its stop rules, side-by-side sequences. */
class SingleSequenceLoopTest {

    private static final List<String> PROMPTS = List.of("Once upon a time", "Tom and Sue went to the park. They",
            "One day, a girl named Mia found a box. Inside the box");
    /** One thread: these tiny models gain nothing from more, and a busy build machine makes more slower. */
    private static final ContextOptions ONE_SEQUENCE = ContextOptions.defaults(512).withThreads(1);

    /** Greedy up to {@code n} tokens or end of generation; keeps what it was handed. */
    private static final class GreedyUpTo implements SingleSequenceLoop.Sequence {

        private final int[] prompt;
        private final int n;
        private final Vocabulary vocabulary;
        private final List<Integer> tokens = new ArrayList<>();
        private int last = -1;

        GreedyUpTo(Vocabulary vocabulary, String prompt, int n) {
            this.prompt = vocabulary.tokenize(prompt, true, true);
            this.n = n;
            this.vocabulary = vocabulary;
        }

        @Override
        public int[] prompt() {
            return prompt;
        }

        @Override
        public int choose(float[] logits, int position) {
            assertThat(position).isEqualTo(prompt.length + tokens.size());
            return TokenSampler.argmax(logits);
        }

        @Override
        public boolean accept(int token, float[] logits, int position) {
            last = token;
            if (vocabulary.isEndOfGeneration(token)) {
                return false;
            }
            tokens.add(token);
            return tokens.size() < n;
        }

        int[] tokens() {
            return tokens.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {TestModels.STORIES_260K, TestModels.TINYSTORIES_656K})
    void greedyTokensAreThoseOfTheBareLoop(String file) {
        try (Model model = Model.load(TestModels.model(file))) {
            for (String prompt : PROMPTS) {
                int[] expected;
                try (InferenceContext context = model.newContext(ONE_SEQUENCE)) {
                    expected = Greedy.generate(context, model.vocabulary().tokenize(prompt, true, true), 48);
                }
                GreedyUpTo greedy = new GreedyUpTo(model.vocabulary(), prompt, 48);
                try (InferenceContext context = model.newContext(ONE_SEQUENCE)) {
                    SingleSequenceLoop.run(context, greedy);
                }
                assertThat(expected).as(prompt).hasSizeGreaterThan(10);
                assertThat(greedy.tokens()).as(prompt).containsExactly(expected);
            }
        }
    }

    @Test
    void chunkedPrefillAndSequencesSideBySideChangeNothingOnABatchInvariantContext() {
        try (Model model = Model.load(TestModels.model(TestModels.STORIES_260K))) {
            List<int[]> alone = new ArrayList<>();
            try (InferenceContext context = model.newContext(ONE_SEQUENCE.withBatchInvariance(true))) {
                for (String prompt : PROMPTS) {
                    GreedyUpTo greedy = new GreedyUpTo(model.vocabulary(), prompt, 24);
                    SingleSequenceLoop.run(context, greedy);
                    alone.add(greedy.tokens());
                }
            }
            // a batch of 8: every prompt but the first is split, and prompts share prefill batches
            ContextOptions small = new ContextOptions(4 * 128, 8, 8, PROMPTS.size(), 1, 1, true);
            List<GreedyUpTo> together = PROMPTS.stream().map(p -> new GreedyUpTo(model.vocabulary(), p, 24)).toList();
            try (InferenceContext context = model.newContext(small)) {
                SingleSequenceLoop.run(context, together);
            }
            for (int i = 0; i < PROMPTS.size(); i++) {
                assertThat(together.get(i).tokens()).as(PROMPTS.get(i)).containsExactly(alone.get(i));
            }
        }
    }

    @Test
    void stopsAtTheSequencesBudgetAndAtEndOfGenerationWithoutDecodingTheLastToken() {
        try (Model model = Model.load(TestModels.model(TestModels.TINYSTORIES_656K));
             InferenceContext context = model.newContext(ONE_SEQUENCE)) {
            GreedyUpTo five = new GreedyUpTo(model.vocabulary(), "Once upon a time", 5);
            SingleSequenceLoop.run(context, five);
            assertThat(five.tokens()).hasSize(5);
            assertThat(context.sequenceLength(0)).as("the fifth token is not decoded").isEqualTo(five.prompt().length + 4);

            GreedyUpTo story = new GreedyUpTo(model.vocabulary(), "Once upon a time", 400);
            SingleSequenceLoop.run(context, story);
            assertThat(model.vocabulary().isEndOfGeneration(story.last)).as("the story ends itself").isTrue();
            assertThat(story.tokens).hasSizeBetween(20, 399).noneMatch(t -> model.vocabulary().isEndOfGeneration(t));
            assertThat(context.sequenceLength(0)).as("the context was emptied first; the end is not decoded")
                    .isEqualTo(story.prompt().length + story.tokens().length);
        }
    }

    @Test
    void refusesMoreSequencesThanTheContextHoldsAndEmptyPrompts() {
        try (Model model = Model.load(TestModels.model(TestModels.STORIES_260K));
             InferenceContext context = model.newContext(ONE_SEQUENCE)) {
            List<GreedyUpTo> two = List.of(new GreedyUpTo(model.vocabulary(), "One", 4), new GreedyUpTo(model.vocabulary(), "Two", 4));
            assertThatThrownBy(() -> SingleSequenceLoop.run(context, two)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("2 sequences; the context holds 1");
            assertThatThrownBy(() -> SingleSequenceLoop.run(context, new EmptyPrompt())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("empty prompt");
        }
    }

    private static final class EmptyPrompt implements SingleSequenceLoop.Sequence {
        @Override
        public int[] prompt() {
            return new int[0];
        }

        @Override
        public int choose(float[] logits, int position) {
            throw new AssertionError("nothing to choose from");
        }

        @Override
        public boolean accept(int token, float[] logits, int position) {
            throw new AssertionError("nothing to accept");
        }
    }
}
