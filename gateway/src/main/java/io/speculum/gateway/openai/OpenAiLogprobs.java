package io.speculum.gateway.openai;

import io.speculum.protocol.GenerationEvent.TokenLogprob;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The verifier's log-probabilities in OpenAI's two shapes: the legacy completions' parallel lists (with
 * {@code text_offset} into the choice's text, continued across stream chunks) and the chats' {@code content} list.
 */
final class OpenAiLogprobs {

    private OpenAiLogprobs() {
    }

    /**
     * @param top_logprobs per token, its alternatives and itself ({@code logprobs} + 1 entries at most, as OpenAI's)
     */
    record CompletionLogprobs(List<String> tokens, List<Double> token_logprobs, List<Map<String, Double>> top_logprobs,
                              List<Integer> text_offset) {
    }

    record ChatLogprobs(List<ChatTokenLogprob> content, Object refusal) {
    }

    record ChatTokenLogprob(String token, double logprob, List<Integer> bytes, List<TopLogprob> top_logprobs) {
    }

    record TopLogprob(String token, double logprob, List<Integer> bytes) {
    }

    /** Where the next token's text starts in a completion choice's text (UTF-16 units, as OpenAI's offsets). */
    static final class Offset {
        private int next;

        Offset(int start) {
            this.next = start;
        }

        int take(String text) {
            int at = next;
            next += text.length();
            return at;
        }
    }

    /**
     * @param unscoredFirst an echoed prompt's first token: its text, with no log-probability (nothing precedes it);
     *                      null when not echoing
     */
    static CompletionLogprobs completion(String unscoredFirst, List<TokenLogprob> tokens, Offset offset) {
        List<String> texts = new ArrayList<>();
        List<Double> logprobs = new ArrayList<>();
        List<Map<String, Double>> tops = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        if (unscoredFirst != null) {
            texts.add(unscoredFirst);
            logprobs.add(null);
            tops.add(null);
            offsets.add(offset.take(unscoredFirst));
        }
        for (TokenLogprob token : tokens) {
            texts.add(token.text());
            logprobs.add(token.logprob());
            Map<String, Double> top = new LinkedHashMap<>();
            for (TokenLogprob alternative : token.top()) {
                top.putIfAbsent(alternative.text(), alternative.logprob());
            }
            top.putIfAbsent(token.text(), token.logprob());
            tops.add(top);
            offsets.add(offset.take(token.text()));
        }
        return new CompletionLogprobs(texts, logprobs, tops, offsets);
    }

    static ChatLogprobs chat(List<TokenLogprob> tokens) {
        List<ChatTokenLogprob> content = new ArrayList<>(tokens.size());
        for (TokenLogprob token : tokens) {
            List<TopLogprob> top = new ArrayList<>(token.top().size());
            for (TokenLogprob alternative : token.top()) {
                top.add(new TopLogprob(alternative.text(), alternative.logprob(), bytes(alternative.text())));
            }
            content.add(new ChatTokenLogprob(token.text(), token.logprob(), bytes(token.text()), top));
        }
        return new ChatLogprobs(content, null);
    }

    private static List<Integer> bytes(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        List<Integer> out = new ArrayList<>(utf8.length);
        for (byte b : utf8) {
            out.add(b & 0xff);
        }
        return out;
    }
}
