package io.speculum.detector;

import io.speculum.protocol.detection.DetectionError;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8: malformed input is an {@code INVALID_UTF8} error naming the byte, never silently replaced. */
final class Utf8 {

    private Utf8() {
    }

    static String decode(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            return decoder.decode(in).toString();
        } catch (CharacterCodingException e) {
            throw new DetectionException(DetectionError.Code.INVALID_UTF8, "the record is not valid UTF-8 (malformed bytes near byte "
                    + in.position() + " of " + bytes.length + ")");
        }
    }
}
