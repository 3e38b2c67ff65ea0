package io.speculum.llama;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Text deltas never split a UTF-8 character, on the 32k Llama 2 vocabulary whose byte tokens spell rare characters. */
class StreamingDetokenizerTest {

    private static Model model;

    @BeforeAll
    static void load() {
        model = Model.load(ModelOptions.vocabularyOnly(TestModels.model(TestModels.LLAMA2_RANDOM)));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void multiByteCharactersSplitAcrossTokensAreHeldBackUntilComplete() {
        String text = "Café 😀 naïve — 日本語 🚀 ok ⟨𝔘𝔫𝔦𝔠𝔬𝔡𝔢⟩";
        Vocabulary vocabulary = model.vocabulary();
        int[] tokens = vocabulary.tokenize(text, false, false);
        StreamingDetokenizer stream = new StreamingDetokenizer(vocabulary, false, true);
        StringBuilder out = new StringBuilder();
        int heldBack = 0;
        for (int token : tokens) {
            String delta = stream.push(token);
            assertThat(delta).as("delta after token %d", token).doesNotContain("\uFFFD");
            assertThat(isWellFormedUtf16(delta)).as("no lone surrogate in %s", delta).isTrue();
            if (stream.pendingBytes() > 0) {
                heldBack++;
            }
            out.append(delta);
        }
        out.append(stream.flush());
        assertThat(heldBack).as("tokens that ended inside a character").isGreaterThan(0);
        assertThat(out.toString()).isEqualTo(text).isEqualTo(vocabulary.detokenize(tokens));
    }

    @Test
    void aContinuationKeepsItsLeadingSpace() {
        Vocabulary vocabulary = model.vocabulary();
        int[] tokens = vocabulary.tokenize("upon a time", false, false);
        String delta = StreamingDetokenizer.continuation(vocabulary).push(tokens);
        assertThat(delta).isEqualTo(" upon a time");
    }

    @Test
    void flushEmitsAnUnfinishedCharacterAsReplacement() {
        Vocabulary vocabulary = model.vocabulary();
        int[] emoji = vocabulary.tokenize("😀", false, false);
        StreamingDetokenizer stream = StreamingDetokenizer.continuation(vocabulary);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < emoji.length - 1; i++) {
            out.append(stream.push(emoji[i]));
        }
        assertThat(stream.pendingBytes()).isPositive();
        assertThat(stream.flush()).contains("\uFFFD");
        assertThat(stream.pendingBytes()).isZero();
    }

    @Test
    void completePrefixLengthFindsCharacterBoundaries() {
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8); // 3 bytes
        byte[] grin = "😀".getBytes(StandardCharsets.UTF_8); // 4 bytes
        assertThat(StreamingDetokenizer.completePrefixLength(new byte[0])).isZero();
        assertThat(StreamingDetokenizer.completePrefixLength("ab".getBytes(StandardCharsets.UTF_8))).isEqualTo(2);
        assertThat(StreamingDetokenizer.completePrefixLength(euro)).isEqualTo(3);
        assertThat(StreamingDetokenizer.completePrefixLength(new byte[] {'a', euro[0]})).isEqualTo(1);
        assertThat(StreamingDetokenizer.completePrefixLength(new byte[] {'a', euro[0], euro[1]})).isEqualTo(1);
        assertThat(StreamingDetokenizer.completePrefixLength(new byte[] {grin[0], grin[1], grin[2]})).isZero();
        assertThat(StreamingDetokenizer.completePrefixLength(grin)).isEqualTo(4);
        // a stray continuation byte can never be completed: it is not held back
        assertThat(StreamingDetokenizer.completePrefixLength(new byte[] {'a', (byte) 0x80})).isEqualTo(2);
    }

    private static boolean isWellFormedUtf16(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
