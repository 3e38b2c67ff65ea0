package io.speculum.gateway.openai;

import io.speculum.gateway.openai.OpenAiResponses.ChatChoice;
import io.speculum.gateway.openai.OpenAiResponses.ChatCompletion;
import io.speculum.gateway.openai.OpenAiResponses.ChatMessage;
import io.speculum.gateway.openai.OpenAiResponses.Completion;
import io.speculum.gateway.openai.OpenAiResponses.CompletionChoice;
import io.speculum.gateway.openai.OpenAiResponses.RoundInfo;
import io.speculum.gateway.openai.OpenAiResponses.RoundList;
import io.speculum.gateway.openai.OpenAiResponses.SpeculationTotals;
import io.speculum.gateway.openai.OpenAiResponses.Usage;
import io.speculum.protocol.GenerationEvent.TokenLogprob;
import io.speculum.protocol.GenerationEvent;
import java.util.ArrayList;
import java.util.List;

/** A request's generations (one per choice) as one OpenAI response (non-streaming). */
public final class ResponseAssembler {

    private ResponseAssembler() {
    }

    /** @param events per choice, its generation's events */
    public static Object assemble(List<OpenGeneration> generations, List<List<GenerationEvent>> events) {
        OpenGeneration first = generations.getFirst();
        GenerationSpec spec = first.spec();
        List<Object> choices = new ArrayList<>();
        List<RoundInfo> rounds = new ArrayList<>();
        List<GenerationEvent.Done> dones = new ArrayList<>();
        for (int index = 0; index < generations.size(); index++) {
            StringBuilder text = new StringBuilder();
            List<TokenLogprob> promptLogprobs = null;
            List<TokenLogprob> logprobs = new ArrayList<>();
            GenerationEvent.Done done = null;
            for (GenerationEvent event : events.get(index)) {
                switch (event) {
                    case GenerationEvent.Round round -> {
                        text.append(round.text());
                        rounds.add(roundInfo(round));
                        if (round.logprobs() != null) {
                            logprobs.addAll(round.logprobs());
                        }
                        if (round.promptLogprobs() != null) {
                            promptLogprobs = round.promptLogprobs();
                        }
                    }
                    case GenerationEvent.Done d -> {
                        text.append(d.text() == null ? "" : d.text());
                        done = d;
                    }
                    case GenerationEvent.Error error -> throw ApiException.fromErrorEvent(error, null);
                }
            }
            if (done == null) {
                throw ApiException.internal("the generation ended without a terminal event");
            }
            dones.add(done);
            String finish = finishReason(done.finishReason());
            choices.add(switch (spec.kind()) {
                case COMPLETION -> completionChoice(spec, index, text.toString(), promptLogprobs, logprobs, finish);
                case CHAT -> new ChatChoice(index, new ChatMessage("assistant", text.toString(), null),
                        spec.logprobs() == null ? null : OpenAiLogprobs.chat(logprobs), finish);
            });
        }
        OpenAiResponses.ResponseExtension speculum = spec.stats() ? new RoundList(rounds) : null;
        return switch (spec.kind()) {
            case COMPLETION -> new Completion(first.id(), "text_completion", first.created(), spec.model(),
                    choices.stream().map(CompletionChoice.class::cast).toList(), usage(dones), speculum);
            case CHAT -> new ChatCompletion(first.id(), "chat.completion", first.created(), spec.model(),
                    choices.stream().map(ChatChoice.class::cast).toList(), usage(dones), speculum);
        };
    }

    private static CompletionChoice completionChoice(GenerationSpec spec, int index, String text, List<TokenLogprob> promptLogprobs,
                                                     List<TokenLogprob> logprobs, String finish) {
        String prefix = spec.echo() ? echoedPrompt(spec, promptLogprobs) : "";
        OpenAiLogprobs.CompletionLogprobs scored = null;
        if (spec.logprobs() != null) {
            List<TokenLogprob> all = new ArrayList<>();
            if (spec.echo() && promptLogprobs != null) {
                all.addAll(promptLogprobs);
            }
            all.addAll(logprobs);
            scored = OpenAiLogprobs.completion(spec.echo() ? "" : null, all, new OpenAiLogprobs.Offset(0));
        }
        return new CompletionChoice(prefix + text, index, scored, finish);
    }

    /** The prompt as echoed: its text, or for a token-id prompt the pieces of its tokens after the first. */
    static String echoedPrompt(GenerationSpec spec, List<TokenLogprob> promptLogprobs) {
        if (spec.prompt() != null) {
            return spec.prompt();
        }
        StringBuilder text = new StringBuilder();
        if (promptLogprobs != null) {
            promptLogprobs.forEach(token -> text.append(token.text()));
        }
        return text.toString();
    }

    static RoundInfo roundInfo(GenerationEvent.Round round) {
        GenerationEvent.RoundStats stats = round.stats();
        return stats == null
                ? new RoundInfo(round.round(), round.tokens().length, 0, 0, null)
                : new RoundInfo(round.round(), round.tokens().length, stats.drafted(), stats.accepted(), stats.drafter());
    }

    static Usage usage(GenerationEvent.Done done) {
        return usage(List.of(done));
    }

    /**
     * The usage of a request's choices: the prompt counted once (every choice continues the same prompt), completion
     * tokens and speculation totals summed; τ over all their verification rounds.
     */
    static Usage usage(List<GenerationEvent.Done> dones) {
        int prompt = dones.getFirst().usage().promptTokens();
        int completion = 0;
        int rounds = 0;
        int drafted = 0;
        int accepted = 0;
        boolean stats = true;
        for (GenerationEvent.Done done : dones) {
            completion += done.usage().completionTokens();
            GenerationEvent.GenerationStats s = done.stats();
            if (s == null) {
                stats = false;
            } else {
                rounds += s.rounds();
                drafted += s.draftedTokens();
                accepted += s.acceptedTokens();
            }
        }
        SpeculationTotals totals = !stats ? null : new SpeculationTotals(rounds, drafted, accepted,
                dones.size() == 1 ? dones.getFirst().stats().meanAcceptedLength()
                        : rounds == 0 ? 0 : (double) (accepted + rounds) / rounds);
        return new Usage(prompt, completion, prompt + completion, totals);
    }

    /** OpenAI's finish reasons: a full context is a length limit too. */
    public static String finishReason(GenerationEvent.FinishReason reason) {
        return switch (reason) {
            case STOP, CANCELLED -> "stop";
            case LENGTH, CONTEXT -> "length";
        };
    }
}
