package io.speculum.gateway;

import io.speculum.gateway.OpenAiResponses.ChatChoice;
import io.speculum.gateway.OpenAiResponses.ChatCompletion;
import io.speculum.gateway.OpenAiResponses.ChatMessage;
import io.speculum.gateway.OpenAiResponses.Completion;
import io.speculum.gateway.OpenAiResponses.CompletionChoice;
import io.speculum.gateway.OpenAiResponses.RoundInfo;
import io.speculum.gateway.OpenAiResponses.RoundList;
import io.speculum.gateway.OpenAiResponses.SpeculationTotals;
import io.speculum.gateway.OpenAiResponses.Usage;
import io.speculum.protocol.GenerationEvent;
import java.util.ArrayList;
import java.util.List;

/** A whole generation's events as one OpenAI response (non-streaming). */
final class ResponseAssembler {

    private ResponseAssembler() {
    }

    static Object assemble(OpenGeneration generation, List<GenerationEvent> events) {
        GenerationSpec spec = generation.spec();
        StringBuilder text = new StringBuilder();
        List<RoundInfo> rounds = new ArrayList<>();
        GenerationEvent.Done done = null;
        for (GenerationEvent event : events) {
            switch (event) {
                case GenerationEvent.Round round -> {
                    text.append(round.text());
                    rounds.add(roundInfo(round));
                }
                case GenerationEvent.Done d -> {
                    text.append(d.text() == null ? "" : d.text());
                    done = d;
                }
                case GenerationEvent.Error error -> throw GenerationService.fromErrorEvent(error, null);
            }
        }
        if (done == null) {
            throw ApiException.internal("the generation ended without a terminal event");
        }
        OpenAiResponses.ResponseExtension speculum = spec.stats() ? new RoundList(rounds) : null;
        String finish = finishReason(done.finishReason());
        return switch (spec.kind()) {
            case COMPLETION -> new Completion(generation.id(), "text_completion", generation.created(), spec.model(),
                    List.of(new CompletionChoice(text.toString(), 0, null, finish)), usage(done), speculum);
            case CHAT -> new ChatCompletion(generation.id(), "chat.completion", generation.created(), spec.model(),
                    List.of(new ChatChoice(0, new ChatMessage("assistant", text.toString(), null), null, finish)),
                    usage(done), speculum);
        };
    }

    static RoundInfo roundInfo(GenerationEvent.Round round) {
        GenerationEvent.RoundStats stats = round.stats();
        return stats == null
                ? new RoundInfo(round.round(), round.tokens().length, 0, 0, null)
                : new RoundInfo(round.round(), round.tokens().length, stats.drafted(), stats.accepted(), stats.drafter());
    }

    static Usage usage(GenerationEvent.Done done) {
        GenerationEvent.Usage usage = done.usage();
        GenerationEvent.GenerationStats stats = done.stats();
        SpeculationTotals totals = stats == null ? null
                : new SpeculationTotals(stats.rounds(), stats.draftedTokens(), stats.acceptedTokens(), stats.meanAcceptedLength());
        return new Usage(usage.promptTokens(), usage.completionTokens(), usage.totalTokens(), totals);
    }

    /** OpenAI's finish reasons: a full context is a length limit too. */
    static String finishReason(GenerationEvent.FinishReason reason) {
        return switch (reason) {
            case STOP, CANCELLED -> "stop";
            case LENGTH, CONTEXT -> "length";
        };
    }
}
