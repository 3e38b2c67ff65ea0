package io.speculum.detector;

import io.speculum.protocol.detection.DetectionError;

/** A detection that cannot be done, with the code and text index its reply carries. */
public class DetectionException extends RuntimeException {

    private final DetectionError.Code code;
    private final Integer textIndex;

    public DetectionException(DetectionError.Code code, String message, Integer textIndex) {
        super(message);
        this.code = code;
        this.textIndex = textIndex;
    }

    public DetectionException(DetectionError.Code code, String message) {
        this(code, message, null);
    }

    public DetectionError.Code code() {
        return code;
    }

    public DetectionError toError() {
        return new DetectionError(code, getMessage(), textIndex);
    }
}
