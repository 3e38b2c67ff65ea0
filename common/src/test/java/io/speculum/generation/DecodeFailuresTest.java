package io.speculum.generation;

import static org.assertj.core.api.Assertions.assertThat;

import io.speculum.llama.LlamaException;
import io.speculum.protocol.ProtocolError;
import io.speculum.protocol.ProtocolError.ErrorCode;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class DecodeFailuresTest {

    @Test
    void aSaturatedEngineTellsTheClientToRetry() {
        Throwable failure = new CompletionException(new LlamaException(LlamaException.Code.SATURATED, "queue full"));
        Throwable cause = DecodeFailures.cause(failure);
        assertThat(cause).isInstanceOf(LlamaException.class);
        assertThat(DecodeFailures.toError(cause, "verifier"))
                .isEqualTo(new ProtocolError(ErrorCode.OVERLOADED, "The verifier's engine is saturated; retry later"));
    }

    @Test
    void anyOtherFailureIsInternalWithItsMessage() {
        Throwable cause = DecodeFailures.cause(new IllegalStateException("context closed"));
        assertThat(DecodeFailures.toError(cause, "small model"))
                .isEqualTo(new ProtocolError(ErrorCode.INTERNAL, "Decoding failed: context closed"));
        assertThat(DecodeFailures.cause(new CompletionException(null))).isInstanceOf(CompletionException.class);
    }
}
