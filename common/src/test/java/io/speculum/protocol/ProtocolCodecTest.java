package io.speculum.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.speculum.math.SamplingParams;
import io.speculum.math.SparseDistribution;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The wire format round-trips every message, tolerates unknown fields and refuses malformed input clearly. */
class ProtocolCodecTest {

    private static final GenerationState STATE = new GenerationState("req-1", 3, "replies", "stories260K", "fp", 2,
            new int[] {1, 5, 9, 11}, 64, SamplingParams.ofTemperature(1.0, 7), List.of("\n\n"), SpeculationPolicy.fixed(4), 10, 0);

    @Test
    void generateTopicRecordsCarryTheirType() {
        GenerateRequest request = new GenerateRequest("req-1", "replies", "stories260K", "Once upon a time", null, 32,
                SamplingParams.greedy(), List.of("."), SpeculationPolicy.off(), 1, 0);
        String json = ProtocolCodec.writeString(request);
        assertThat(json).contains("\"type\":\"generate\"").doesNotContain("promptTokens");
        GenerateTopicRecord read = ProtocolCodec.read(json, GenerateTopicRecord.class);
        assertThat(read).isInstanceOfSatisfying(GenerateRequest.class, r -> {
            assertThat(r.prompt()).isEqualTo("Once upon a time");
            assertThat(r.sampling()).isEqualTo(SamplingParams.greedy());
            assertThat(r.speculation()).isEqualTo(SpeculationPolicy.off());
            assertThat(r.stop()).containsExactly(".");
        });
        assertThat(ProtocolCodec.read(ProtocolCodec.write(new CancelRequest("req-1", "client left")), GenerateTopicRecord.class))
                .isEqualTo(new CancelRequest("req-1", "client left"));
    }

    @Test
    void draftTopicRecordsCarryTheirType() {
        DraftRequest request = new DraftRequest(STATE, 4, "model", 12);
        String json = ProtocolCodec.writeString(request);
        assertThat(json).startsWith("{\"type\":\"draft\"").doesNotContain("\"requestId\":\"req-1\",\"state\"");
        assertThat(ProtocolCodec.read(json, DraftTopicRecord.class)).isInstanceOfSatisfying(DraftRequest.class, r -> {
            assertThat(r.requestId()).isEqualTo("req-1");
            assertThat(r.state()).isEqualTo(STATE);
            assertThat(r.maxDraftTokens()).isEqualTo(4);
            assertThat(r.successors()).isEmpty();
        });
        DraftRequest withSuccessors = new DraftRequest(STATE, 4, "recycling", 12, List.of(new Successors(7, new int[] {3, 9})));
        assertThat(ProtocolCodec.read(ProtocolCodec.write(withSuccessors), DraftTopicRecord.class))
                .isInstanceOfSatisfying(DraftRequest.class, r -> assertThat(r.successors()).containsExactly(new Successors(7, new int[] {3, 9})));
        // a request from before successors existed still parses
        String old = json.replace(",\"successors\":[]", "");
        assertThat(old).doesNotContain("successors");
        assertThat(((DraftRequest) ProtocolCodec.read(old, DraftTopicRecord.class)).successors()).isEmpty();
        String release = ProtocolCodec.writeString(new DraftRelease("req-1"));
        assertThat(release).isEqualTo("{\"type\":\"release\",\"requestId\":\"req-1\"}");
        assertThat(ProtocolCodec.read(release, DraftTopicRecord.class)).isEqualTo(new DraftRelease("req-1"));
    }

    @Test
    void stateAndProposalsRoundTrip() {
        assertThat(ProtocolCodec.read(ProtocolCodec.write(STATE), GenerationState.class)).isEqualTo(STATE);
        DraftTiming timing = new DraftTiming(1_000, 1_400, 1_500, 3_500, 3_600);
        DraftProposal proposal = new DraftProposal(new DraftRequest(STATE, 4, "model", 1_000), "model", "fp", new int[] {4, 2},
                List.of(new SparseDistribution(new int[] {4, 3}, new float[] {0.75f, 0.25f}), SparseDistribution.pointMass(2)), timing);
        DraftProposal read = ProtocolCodec.read(ProtocolCodec.write(proposal), DraftProposal.class);
        assertThat(read.tokens()).containsExactly(4, 2);
        assertThat(read.distributions()).isEqualTo(proposal.distributions());
        assertThat(read.requestId()).isEqualTo("req-1");
        assertThat(read.round()).isEqualTo(3);
        assertThat(read.basis()).isEqualTo(4);
        assertThat(read.timing()).isEqualTo(timing);
        assertThat(ProtocolCodec.writeString(proposal)).doesNotContain("pointMasses").doesNotContain("\"error\"")
                .doesNotContain("\"state\"");
    }

    @Test
    void deltaRequestsCarryOnlyTheNewTokensAndResolveToTheWholeState() {
        DraftRequest delta = new DraftRequest("req-1", 4, null, new TokenDelta(4, new int[] {13, 17}), 4, "model", 5, List.of(), 0);
        String json = ProtocolCodec.writeString(delta);
        assertThat(json).doesNotContain("\"state\"").contains("\"delta\":{\"from\":4,\"tokens\":[13,17]}");
        DraftRequest read = (DraftRequest) ProtocolCodec.read(json, DraftTopicRecord.class);
        assertThat(read).isEqualTo(delta);
        assertThat(read.basis()).isEqualTo(6);
        GenerationState whole = STATE.at(4, read.delta().applyTo(STATE.tokens()));
        assertThat(whole.tokens()).containsExactly(1, 5, 9, 11, 13, 17);
        assertThat(read.withState(whole).state()).isEqualTo(whole);
        assertThatThrownBy(() -> read.delta().applyTo(new int[] {1, 5, 9})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DraftRequest("req-1", 4, STATE, delta.delta(), 4, "model", 5, List.of(), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void timingSplitsTheHopIntoStages() {
        HopStages stages = new DraftTiming(1_000, 1_400, 1_500, 3_500, 3_600).stagesUntil(4_100);
        assertThat(stages).isEqualTo(new HopStages(0.4, 0.1, 2.0, 0.1, 0.5));
        assertThat(stages.total()).isCloseTo(3.1, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(stages.transport()).isCloseTo(0.9, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(new DraftTiming(0, 1, 1, 1, 1).stagesUntil(2)).as("not stamped by the verifier").isNull();
    }

    @Test
    void eventsAreTaggedAndTerminalOnesSaySo() {
        GenerationEvent round = new GenerationEvent.Round("req-1", 2, new int[] {5, 6}, " cat", new GenerationEvent.RoundStats(4, 1, "model", 0.3, 1.2));
        GenerationEvent done = new GenerationEvent.Done("req-1", 3, GenerationEvent.FinishReason.LENGTH, "",
                new GenerationEvent.Usage(4, 8), new GenerationEvent.GenerationStats(2, 8, 5, 3.5));
        GenerationEvent error = new GenerationEvent.Error("req-1", 0, ProtocolError.ErrorCode.VOCABULARY_MISMATCH, "no");
        assertThat(ProtocolCodec.writeString(round)).contains("\"type\":\"round\"").doesNotContain("ends");
        assertThat(ProtocolCodec.read(ProtocolCodec.write(done), GenerationEvent.class)).isEqualTo(done);
        assertThat(ProtocolCodec.read(ProtocolCodec.write(error), GenerationEvent.class)).isEqualTo(error);
        assertThat(round.ends()).isFalse();
        assertThat(done.ends()).isTrue();
        assertThat(error.ends()).isTrue();
    }

    @Test
    void unknownFieldsAreIgnoredForForwardCompatibility() {
        String json = "{\"type\":\"cancel\",\"requestId\":\"r\",\"reason\":\"x\",\"addedInVersion2\":42}";
        assertThat(ProtocolCodec.read(json, GenerateTopicRecord.class)).isEqualTo(new CancelRequest("r", "x"));
    }

    @Test
    void malformedMessagesRaiseProtocolExceptions() {
        assertThatThrownBy(() -> ProtocolCodec.read("{not json".getBytes(StandardCharsets.UTF_8), GenerateTopicRecord.class))
                .isInstanceOf(ProtocolException.class).hasMessageStartingWith("Malformed GenerateTopicRecord");
        assertThatThrownBy(() -> ProtocolCodec.read("{\"type\":\"teleport\",\"requestId\":\"r\"}", GenerateTopicRecord.class))
                .isInstanceOf(ProtocolException.class);
        // a record's own validation (promptLength beyond the tokens) surfaces as a protocol error too
        assertThatThrownBy(() -> ProtocolCodec.read("{\"requestId\":\"r\",\"round\":0,\"maxTokens\":1,\"createdAtMillis\":0,\"deadlineAtMillis\":0,\"promptLength\":5,\"tokens\":[1],\"sampling\":"
                + "{\"temperature\":0,\"topK\":0,\"topP\":1,\"minP\":0,\"seed\":0}}", GenerationState.class))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("promptLength");
        assertThatThrownBy(() -> new SpeculationPolicy(SpeculationPolicy.Mode.FIXED, null, 99, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void cascadeRequestsAndRepliesRoundTrip() {
        CascadeRequest request = ProtocolCodec.read("{\"requestId\":\"c1\",\"replyTopic\":\"r\",\"prompt\":\"Once\",\"maxTokens\":8,\"createdAtMillis\":0,\"deadlineAtMillis\":0}",
                CascadeRequest.class);
        assertThat(request.sampling()).isEqualTo(SamplingParams.greedy());
        assertThat(request.threshold()).isNull();
        CascadeReply answer = new CascadeReply.Answer("c1", " upon", CascadeReply.Model.LARGE, true, null, "chow-average", 1.5, 1.0,
                GenerationEvent.FinishReason.LENGTH, new CascadeReply.Costs(2, 8, 2, 8, 3, 5));
        String json = ProtocolCodec.writeString(answer);
        assertThat(json).startsWith("{\"type\":\"answer\"").doesNotContain("undeferred");
        assertThat(ProtocolCodec.read(json, CascadeReply.class)).isEqualTo(answer);
        CascadeReply error = new CascadeReply.Error("c1", ProtocolError.ErrorCode.DEADLINE_EXCEEDED, "late");
        assertThat(ProtocolCodec.read(ProtocolCodec.write(error), CascadeReply.class)).isEqualTo(error);
        // a request without routing defers, and an answer without it says so
        assertThat(request.routing()).isEqualTo(CascadeRouting.DEFER);
        assertThat(((CascadeReply.Answer) answer).lossy()).isFalse();
        assertThat(json).contains("\"routing\":\"DEFER\"", "\"lossy\":false");
        String before = json.replace(",\"routing\":\"DEFER\"", "").replace(",\"lossy\":false", "");
        assertThat(before).doesNotContain("routing", "lossy");
        assertThat(ProtocolCodec.read(before, CascadeReply.class)).as("a reply of a router before token routing").isEqualTo(answer);
    }

    @Test
    void tokenRoutedRequestsAndAnswersRoundTripLabelledLossy() {
        CascadeRequest request = new CascadeRequest("t1", "r", "Once", 8, null, null, null, 0, 0, CascadeRouting.TOKEN, 2.5);
        String json = ProtocolCodec.writeString(request);
        assertThat(json).contains("\"routing\":\"TOKEN\"", "\"tokenThreshold\":2.5");
        assertThat(ProtocolCodec.read(json, CascadeRequest.class)).isEqualTo(request);
        CascadeReply answer = new CascadeReply.Answer("t1", " upon a", CascadeReply.Model.MIXED, true, null, "token-surprisal",
                3.1, 2.5, GenerationEvent.FinishReason.LENGTH, new CascadeReply.Costs(9, 6, 12, 2, 2, 0), CascadeRouting.TOKEN,
                false, new CascadeReply.TokenRouting(6, 2, 2, false));
        assertThat(((CascadeReply.Answer) answer).lossy()).as("token routing is always labelled lossy").isTrue();
        String reply = ProtocolCodec.writeString(answer);
        assertThat(reply).contains("\"lossy\":true", "\"answeredBy\":\"MIXED\"", "\"handoffs\":2");
        assertThat(ProtocolCodec.read(reply, CascadeReply.class)).isEqualTo(answer);
        // an unknown mode is not read as a default
        assertThatThrownBy(() -> ProtocolCodec.read(json.replace("TOKEN", "SIDEWAYS"), CascadeRequest.class))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("SIDEWAYS");
    }

    @Test
    void theCascadeTopicCarriesRequestsAndCancelsAndReadsATypelessRecordAsARequest() {
        CascadeRequest request = new CascadeRequest("c1", "r", "Once", 8, null, null, 1.5, 1, 2);
        String json = ProtocolCodec.writeString(request);
        assertThat(json).startsWith("{\"type\":\"cascade\"");
        assertThat(ProtocolCodec.read(json, CascadeTopicRecord.class)).isEqualTo(request);
        CancelRequest cancel = new CancelRequest("c1", "client disconnected");
        String cancelJson = ProtocolCodec.writeString(cancel);
        assertThat(cancelJson).contains("\"type\":\"cancel\"");
        assertThat(ProtocolCodec.read(cancelJson, CascadeTopicRecord.class)).isEqualTo(cancel);
        // the documented examples and clients written before cancellation send no type: still a request
        String typeless = "{\"requestId\":\"c2\",\"replyTopic\":\"r\",\"prompt\":\"Once\",\"maxTokens\":8,"
                + "\"createdAtMillis\":0,\"deadlineAtMillis\":0,\"routing\":\"TOKEN\"}";
        assertThat(ProtocolCodec.read(typeless, CascadeTopicRecord.class))
                .isEqualTo(new CascadeRequest("c2", "r", "Once", 8, null, null, null, 0, 0, CascadeRouting.TOKEN, null));
        assertThat(ProtocolCodec.read(typeless, CascadeRequest.class).requestId()).isEqualTo("c2");
        // defaultImpl also takes an unknown type for a request (the router then validates it as one)
        assertThat(ProtocolCodec.read(json.replace("\"cascade\"", "\"sideways\""), CascadeTopicRecord.class)).isEqualTo(request);
        assertThatThrownBy(() -> ProtocolCodec.read("{\"type\":\"cancel\",\"requestId\":[1]}", CascadeTopicRecord.class))
                .isInstanceOf(ProtocolException.class);
        CascadeReply cancelled = new CascadeReply.Error("c1", ProtocolError.ErrorCode.CANCELLED, "cancelled: client disconnected");
        assertThat(ProtocolCodec.read(ProtocolCodec.write(cancelled), CascadeReply.class)).isEqualTo(cancelled);
    }
}
