package io.speculum.detector;

import io.speculum.llama.Vocabulary;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Where each token of a tokenised text lies in the text the tokenizer spells back: UTF-16 offsets into the
 * concatenation of the tokens' pieces, without the leading space SentencePiece adds for its BOS.
 *
 * @param text the spelled-back text
 * @param starts per token index, inclusive start (the BOS at index 0 is empty)
 * @param ends   per token index, exclusive end
 */
record TokenOffsets(String text, int[] starts, int[] ends) {

    static TokenOffsets of(Vocabulary vocabulary, int[] tokens, String original) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int[] byteEnds = new int[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            if (i > 0 || !isBos(vocabulary, tokens[0])) {
                bytes.writeBytes(vocabulary.pieceBytes(tokens[i], false));
            }
            byteEnds[i] = bytes.size();
        }
        byte[] all = bytes.toByteArray();
        String spelled = new String(all, StandardCharsets.UTF_8);
        int shift = spelled.startsWith(" ") && !original.startsWith(" ") ? 1 : 0;
        int[] starts = new int[tokens.length];
        int[] ends = new int[tokens.length];
        int previous = 0;
        for (int i = 0; i < tokens.length; i++) {
            int end = Math.max(0, new String(all, 0, byteEnds[i], StandardCharsets.UTF_8).length() - shift);
            starts[i] = Math.min(previous, end);
            ends[i] = end;
            previous = end;
        }
        return new TokenOffsets(spelled.substring(Math.min(shift, spelled.length())), starts, ends);
    }

    private static boolean isBos(Vocabulary vocabulary, int token) {
        return vocabulary.specialTokens().addBos() && token == vocabulary.specialTokens().bos();
    }

    String piece(int index) {
        return text.substring(Math.min(starts[index], text.length()), Math.min(ends[index], text.length()));
    }
}
