package io.speculum.llama;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns a stream of tokens into text deltas that never split a UTF-8 character. Byte-fallback vocabularies spell a
 * multi-byte character as several tokens (e.g. "é" as {@code <0xC3>} then {@code <0xA9>}); emitting each piece on its
 * own would put broken characters on the wire. The incomplete tail is held back until the character completes.
 * Not thread-safe: one instance per generated stream.
 */
public final class StreamingDetokenizer {

    private final Vocabulary vocabulary;
    private final boolean renderSpecial;
    private boolean stripNextLeadingSpace;
    private byte[] pending = new byte[0];

    /**
     * @param renderSpecial     emit control tokens' texts (otherwise they contribute nothing)
     * @param atStartOfText     the first token starts the text, so SentencePiece's added leading space is removed
     *                          (as {@link Vocabulary#detokenize} does); false for a continuation of a prompt
     */
    public StreamingDetokenizer(Vocabulary vocabulary, boolean renderSpecial, boolean atStartOfText) {
        this.vocabulary = vocabulary;
        this.renderSpecial = renderSpecial;
        this.stripNextLeadingSpace = atStartOfText && vocabulary.type() == VocabularyType.SPM;
    }

    /** A continuation of a prompt, special tokens not rendered. */
    public static StreamingDetokenizer continuation(Vocabulary vocabulary) {
        return new StreamingDetokenizer(vocabulary, false, false);
    }

    /** Adds a token; returns the text that became complete (possibly empty). */
    public String push(int token) {
        byte[] piece = vocabulary.pieceBytes(token, renderSpecial);
        if (stripNextLeadingSpace && piece.length > 0) {
            stripNextLeadingSpace = false;
            if (piece[0] == ' ') {
                piece = Arrays.copyOfRange(piece, 1, piece.length);
            }
        }
        return pushBytes(piece);
    }

    /** Adds several tokens; returns the text that became complete. */
    public String push(int[] tokens) {
        StringBuilder out = new StringBuilder();
        for (int token : tokens) {
            out.append(push(token));
        }
        return out.toString();
    }

    /** Bytes held back because they do not yet form a whole character. */
    public int pendingBytes() {
        return pending.length;
    }

    /** Ends the stream: whatever is held back is emitted, an unfinished character as U+FFFD. */
    public String flush() {
        String rest = new String(pending, StandardCharsets.UTF_8);
        pending = new byte[0];
        return rest;
    }

    String pushBytes(byte[] piece) {
        if (piece.length == 0) {
            return "";
        }
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(pending.length + piece.length);
        buffer.writeBytes(pending);
        buffer.writeBytes(piece);
        byte[] all = buffer.toByteArray();
        int complete = completePrefixLength(all);
        pending = Arrays.copyOfRange(all, complete, all.length);
        return new String(all, 0, complete, StandardCharsets.UTF_8);
    }

    /**
     * Length of the longest prefix that does not end inside a UTF-8 sequence which more bytes could still
     * complete. Malformed bytes are not held back: no later byte can repair them.
     */
    static int completePrefixLength(byte[] bytes) {
        int n = bytes.length;
        // A UTF-8 sequence is at most 4 bytes: only the last 3 bytes can start an unfinished one.
        for (int i = n - 1; i >= Math.max(0, n - 3); i--) {
            int b = bytes[i] & 0xFF;
            if ((b & 0xC0) == 0x80) {
                continue; // continuation byte: keep looking for the lead byte
            }
            int expected = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 1;
            return n - i < expected ? i : n;
        }
        return n;
    }
}
