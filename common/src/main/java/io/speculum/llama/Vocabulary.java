package io.speculum.llama;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * A model's tokenizer. Thread-safe. Every token id is checked before it reaches native code: llama.cpp indexes its
 * tables with {@code at()}, and a C++ exception escaping into the JVM would abort the process.
 */
public final class Vocabulary {

    private final Model model;
    private final LlamaLibrary lib;
    private final MemorySegment vocab;
    private final int size;
    private final VocabularyType type;
    private final SpecialTokens specialTokens;
    private volatile VocabularyFingerprint fingerprint;
    // SentencePiece vocabularies without all 256 byte tokens: llama.cpp's byte fallback calls unordered_map::at()
    // for a character it cannot spell and aborts the process. We check the text against these instead.
    private final boolean byteFallback;
    private final Set<Integer> spellableCodePoints;
    private final List<String> specialTexts;

    Vocabulary(Model model, LlamaLibrary lib, MemorySegment vocab) throws Throwable {
        this.model = model;
        this.lib = lib;
        this.vocab = vocab;
        this.size = (int) lib.vocabNTokens.invokeExact(vocab);
        this.type = VocabularyType.of((int) lib.vocabType.invokeExact(vocab));
        this.specialTokens = new SpecialTokens(
                (int) lib.vocabBos.invokeExact(vocab),
                (int) lib.vocabEos.invokeExact(vocab),
                (int) lib.vocabEot.invokeExact(vocab),
                (int) lib.vocabNl.invokeExact(vocab),
                (int) lib.vocabPad.invokeExact(vocab),
                (boolean) lib.vocabGetAddBos.invokeExact(vocab),
                (boolean) lib.vocabGetAddEos.invokeExact(vocab));
        Set<String> texts = new HashSet<>();
        Set<Integer> single = new HashSet<>();
        List<String> special = new ArrayList<>();
        for (int token = 0; token < size; token++) {
            MemorySegment t = (MemorySegment) lib.vocabGetText.invokeExact(vocab, token);
            String text = t.equals(MemorySegment.NULL) ? "" : t.reinterpret(Integer.MAX_VALUE).getString(0, StandardCharsets.UTF_8);
            texts.add(text);
            if (!text.isEmpty() && text.codePointCount(0, text.length()) == 1) {
                single.add(text.codePointAt(0));
            }
            int attr = (int) lib.vocabGetAttr.invokeExact(vocab, token);
            if ((attr & (ATTR_CONTROL | ATTR_USER_DEFINED)) != 0 && !text.isEmpty()) {
                special.add(text);
            }
        }
        boolean allBytes = true;
        for (int b = 0; b < 256 && allBytes; b++) {
            allBytes = texts.contains(String.format("<0x%02X>", b));
        }
        this.byteFallback = type != VocabularyType.SPM || allBytes;
        this.spellableCodePoints = byteFallback ? Set.of() : Set.copyOf(single);
        special.sort(Comparator.comparingInt(String::length).reversed());
        this.specialTexts = List.copyOf(special);
    }

    private static final int ATTR_CONTROL = 1 << 3;
    private static final int ATTR_USER_DEFINED = 1 << 4;
    private static final int SPM_SPACE = 0x2581; // '▁', SentencePiece's escaped space

    /**
     * Whether every character of any text can be tokenised: true unless this is a SentencePiece vocabulary without
     * byte tokens, which can spell only the characters it has tokens for.
     */
    public boolean hasByteFallback() {
        return byteFallback;
    }

    /** Throws {@link LlamaException.Code#INVALID_ARGUMENT} naming the first character this vocabulary cannot spell. */
    public void checkSpellable(String text, boolean parseSpecial) {
        if (byteFallback) {
            return;
        }
        String checked = text;
        if (parseSpecial) {
            for (String special : specialTexts) {
                checked = checked.replace(special, "");
            }
        }
        for (int i = 0; i < checked.length(); ) {
            int cp = checked.codePointAt(i);
            int spelled = cp == ' ' ? SPM_SPACE : cp;
            if (!spellableCodePoints.contains(spelled)) {
                throw new LlamaException(LlamaException.Code.INVALID_ARGUMENT, String.format(
                        "The text contains %s (U+%04X), which this %d-token vocabulary cannot represent (it has no byte fallback)",
                        Character.isISOControl(cp) ? "a control character" : "'" + Character.toString(cp) + "'", cp, size));
            }
            i += Character.charCount(cp);
        }
    }

    public int size() {
        return size;
    }

    public VocabularyType type() {
        return type;
    }

    public SpecialTokens specialTokens() {
        return specialTokens;
    }

    public boolean isValid(int token) {
        return token >= 0 && token < size;
    }

    /** Throws {@link LlamaException.Code#INVALID_TOKEN} for an id outside the vocabulary. */
    public void checkToken(int token) {
        if (!isValid(token)) {
            throw new LlamaException(LlamaException.Code.INVALID_TOKEN,
                    "Token id " + token + " is outside the vocabulary [0, " + size + ")");
        }
    }

    public void checkTokens(int[] tokens) {
        for (int token : tokens) {
            checkToken(token);
        }
    }

    /**
     * Tokenises UTF-8 text.
     *
     * @param addSpecial   add BOS/EOS as the vocabulary asks ({@link SpecialTokens#addBos()})
     * @param parseSpecial recognise special-token texts such as {@code <s>} in the input instead of treating them as text
     */
    public int[] tokenize(String text, boolean addSpecial, boolean parseSpecial) {
        checkSpellable(text, parseSpecial);
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        return model.use(() -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment in = arena.allocate(Math.max(1, utf8.length));
                MemorySegment.copy(utf8, 0, in, JAVA_BYTE, 0, utf8.length);
                int capacity = utf8.length + 4;
                while (true) {
                    MemorySegment out = arena.allocate(JAVA_INT, capacity);
                    int n = (int) lib.tokenize.invokeExact(vocab, in, utf8.length, out, capacity, addSpecial, parseSpecial);
                    if (n >= 0) {
                        return out.asSlice(0, (long) n * Integer.BYTES).toArray(JAVA_INT);
                    }
                    if (n == Integer.MIN_VALUE) {
                        throw new LlamaException(LlamaException.Code.INVALID_ARGUMENT, "Text too long to tokenize");
                    }
                    capacity = -n;
                }
            }
        });
    }

    /** Tokenises plain text: BOS as the vocabulary asks, special-token texts treated as text. */
    public int[] tokenize(String text) {
        return tokenize(text, true, false);
    }

    /**
     * Turns tokens back into text.
     *
     * @param removeSpecial   drop a leading BOS / trailing EOS the vocabulary adds
     * @param unparseSpecial  render special tokens (e.g. {@code <s>}) as their text instead of dropping them
     */
    public String detokenize(int[] tokens, boolean removeSpecial, boolean unparseSpecial) {
        checkTokens(tokens);
        if (removeSpecial && specialTokens.addBos() && tokens.length > 0 && tokens[0] == specialTokens.bos()) {
            // llama.cpp keeps SentencePiece's added leading space when it removes the BOS itself (b4916), so
            // detokenize(tokenize(text)) would not give the text back; dropping the BOS here makes it strip the space.
            return detokenizeNative(Arrays.copyOfRange(tokens, 1, tokens.length), true, unparseSpecial);
        }
        return detokenizeNative(tokens, removeSpecial, unparseSpecial);
    }

    private String detokenizeNative(int[] tokens, boolean removeSpecial, boolean unparseSpecial) {
        return model.use(() -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment in = arena.allocateFrom(JAVA_INT, tokens.length == 0 ? new int[] {0} : tokens);
                int capacity = Math.max(16, tokens.length * 8);
                while (true) {
                    MemorySegment out = arena.allocate(capacity);
                    int n = (int) lib.detokenize.invokeExact(vocab, in, tokens.length, out, capacity, removeSpecial, unparseSpecial);
                    if (n >= 0) {
                        return new String(out.asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
                    }
                    capacity = -n;
                }
            }
        });
    }

    /** Detokenises without special tokens. */
    public String detokenize(int[] tokens) {
        return detokenize(tokens, true, false);
    }

    /**
     * The bytes one token contributes to the text. Not necessarily valid UTF-8 on its own: byte-fallback tokens
     * carry single bytes of a multi-byte character (see {@link StreamingDetokenizer}).
     *
     * @param special render control tokens as their text (otherwise they contribute nothing)
     */
    public byte[] pieceBytes(int token, boolean special) {
        checkToken(token);
        return model.use(() -> {
            try (Arena arena = Arena.ofConfined()) {
                int capacity = 32;
                while (true) {
                    MemorySegment out = arena.allocate(capacity);
                    int n = (int) lib.tokenToPiece.invokeExact(vocab, token, out, capacity, 0, special);
                    if (n >= 0) {
                        return out.asSlice(0, n).toArray(JAVA_BYTE);
                    }
                    capacity = -n;
                }
            }
        });
    }

    /** The token's piece as text (malformed UTF-8 replaced); use {@link StreamingDetokenizer} for streams. */
    public String piece(int token) {
        return new String(pieceBytes(token, false), StandardCharsets.UTF_8);
    }

    /** The token's raw text in the vocabulary (e.g. "▁the" for SentencePiece, "&lt;0x0A&gt;" for a byte token). */
    public String tokenText(int token) {
        checkToken(token);
        return model.use(() -> {
            MemorySegment text = (MemorySegment) lib.vocabGetText.invokeExact(vocab, token);
            return text.equals(MemorySegment.NULL) ? "" : text.reinterpret(Integer.MAX_VALUE).getString(0, StandardCharsets.UTF_8);
        });
    }

    /** llama.cpp's {@code llama_token_attr} bit set (normal, control, byte, user-defined, ...). */
    public int tokenAttributes(int token) {
        checkToken(token);
        return model.use(() -> (int) lib.vocabGetAttr.invokeExact(vocab, token));
    }

    /** End of generation: EOS, EOT and the like. */
    public boolean isEndOfGeneration(int token) {
        checkToken(token);
        return model.use(() -> (boolean) lib.vocabIsEog.invokeExact(vocab, token));
    }

    public boolean isControl(int token) {
        checkToken(token);
        return model.use(() -> (boolean) lib.vocabIsControl.invokeExact(vocab, token));
    }

    /**
     * A stable hash of the tokenizer type and every token's text and attributes. Two models with equal fingerprints
     * map the same ids to the same texts, so one can draft for the other.
     */
    public VocabularyFingerprint fingerprint() {
        VocabularyFingerprint fp = fingerprint;
        if (fp == null) {
            fp = computeFingerprint();
            fingerprint = fp;
        }
        return fp;
    }

    private VocabularyFingerprint computeFingerprint() {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        sha.update(type.name().getBytes(StandardCharsets.US_ASCII));
        updateInt(sha, size);
        for (int token = 0; token < size; token++) {
            byte[] text = tokenText(token).getBytes(StandardCharsets.UTF_8);
            updateInt(sha, text.length);
            sha.update(text);
            updateInt(sha, tokenAttributes(token));
        }
        return new VocabularyFingerprint("sha256:" + HexFormat.of().formatHex(sha.digest()), size, type);
    }

    private static void updateInt(MessageDigest sha, int value) {
        sha.update((byte) (value >>> 24));
        sha.update((byte) (value >>> 16));
        sha.update((byte) (value >>> 8));
        sha.update((byte) value);
    }
}
