package io.speculum.generation;

import io.speculum.llama.Vocabulary;
import io.speculum.math.TokenStatistics;
import io.speculum.math.TopTokens;
import io.speculum.protocol.GenerationEvent.TokenLogprob;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Log-probabilities of tokens from the logits rows a decode already produced: no extra decode. Raw values (natural
 * log of the softmax of the model's logits at temperature 1), as vLLM reports by default.
 */
public final class TokenLogprobs {

    private TokenLogprobs() {
    }

    /**
     * @param tokens the tokens whose log-probabilities to report
     * @param rowOf  the logits row token {@code i} was chosen from
     * @param top    how many alternatives each entry carries
     */
    public static List<TokenLogprob> of(Vocabulary vocabulary, int[] tokens, IntFunction<float[]> rowOf, int top) {
        List<TokenLogprob> out = new ArrayList<>(tokens.length);
        for (int i = 0; i < tokens.length; i++) {
            out.add(of(vocabulary, tokens[i], rowOf.apply(i), top));
        }
        return out;
    }

    public static TokenLogprob of(Vocabulary vocabulary, int token, float[] logits, int top) {
        TopTokens best = TokenStatistics.topN(logits, top);
        List<TokenLogprob> alternatives = new ArrayList<>(best.size());
        for (int i = 0; i < best.size(); i++) {
            alternatives.add(new TokenLogprob(best.idAt(i), vocabulary.piece(best.idAt(i)), best.logProbAt(i), null));
        }
        return new TokenLogprob(token, vocabulary.piece(token), TokenStatistics.logProbability(logits, token), alternatives);
    }
}
