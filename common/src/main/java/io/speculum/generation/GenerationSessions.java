package io.speculum.generation;

import io.speculum.protocol.CancelRequest;
import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.GenerationEvent;
import io.speculum.protocol.GenerationEvent.FinishReason;
import io.speculum.protocol.ProtocolError;
import io.speculum.protocol.ProtocolError.ErrorCode;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lifecycle every generating service shares around its own decode loop (the verifier's rounds, the small model's
 * steps): a request is checked, then starts on a free slot, waits, or is refused ({@link SlotAdmission}); its session
 * ends exactly once, finished, failed or cancelled, with one terminal event on its reply topic; its slot then passes to
 * the first waiting request, which starts on the starter executor unless its deadline passed while it waited.
 * Thread-safe; a session's monitor serialises its changes, and {@link #finish}, {@link #fail} and {@link #pastDeadline}
 * are called holding it.
 *
 * @param <S> the service's session type
 */
public final class GenerationSessions<S extends GenerationSession> {

    private static final Logger LOG = LoggerFactory.getLogger(GenerationSessions.class);

    /** What the generating service does at the two ends of a session's life, and what it counts. */
    public interface Service<S> {

        /**
         * Starts {@code request} on {@code slot}: {@link #add}s its session and decodes, or {@link #refuse}s it (a
         * prompt that cannot be used). Runs on the caller's thread or the starter's, holding no lock.
         */
        void start(GenerateRequest request, int slot);

        /** Frees what an ended session held (its KV cells, drafters' state), holding its monitor; once per session. */
        void release(S session);

        /** A request was refused with an error event. */
        default void rejected() {
        }

        /** A message was dropped: no id or reply topic, a duplicate, a cancel for nothing running. */
        default void dropped() {
        }
    }

    /** Where the events go (the service's output). Must not block long. */
    @FunctionalInterface
    public interface Replies {

        void reply(String replyTopic, GenerationEvent event);
    }

    private final String server;
    private final SlotAdmission admission;
    private final Executor starter;
    private final Replies replies;
    private final Service<S> service;
    private final Map<String, S> running = new ConcurrentHashMap<>();

    /**
     * @param server  what generates, as messages name it ("verifier", "small model")
     * @param starter runs waiting requests when a slot frees up (not on the ending thread, which holds a session's lock)
     */
    public GenerationSessions(String server, SlotAdmission admission, Executor starter, Replies replies, Service<S> service) {
        this.server = server;
        this.admission = admission;
        this.starter = starter;
        this.replies = replies;
        this.service = service;
    }

    /** Checks a request against what the service serves and starts it, queues it or refuses it. */
    public void onGenerate(GenerateRequest request, String servedModel, int maxTokens) {
        if (request.requestId() == null || request.requestId().isBlank() || request.replyTopic() == null
                || request.replyTopic().isBlank()) {
            LOG.warn("Dropping a generate request without request id or reply topic");
            service.dropped();
            return;
        }
        ProtocolError invalid = RequestChecks.check(request, servedModel, maxTokens);
        if (invalid != null) {
            reject(request, invalid);
            return;
        }
        switch (admission.admit(request)) {
            case SlotAdmission.Start start -> service.start(request, start.slot());
            case SlotAdmission.Queued queued -> LOG.debug("{} waits for a slot ({} waiting)", request.requestId(), queued.position());
            case SlotAdmission.Duplicate duplicate -> {
                LOG.debug("Dropping a duplicate of request {}", request.requestId());
                service.dropped();
            }
            case SlotAdmission.Overloaded overloaded -> {
                service.rejected();
                replies.reply(request.replyTopic(), new GenerationEvent.Error(request.requestId(), 0, ErrorCode.OVERLOADED,
                        overloaded.message(server)));
            }
        }
    }

    /** Cancels a waiting request (it ends without having started) or a running session (with its held-back text). */
    public void onCancel(CancelRequest cancel) {
        GenerateRequest queued = admission.cancelWaiting(cancel.requestId());
        if (queued != null) {
            replies.reply(queued.replyTopic(), GenerationEvent.Done.cancelledWhileWaiting(queued.requestId()));
            return;
        }
        S session = running.get(cancel.requestId());
        if (session == null) {
            service.dropped();
            return;
        }
        synchronized (session) {
            finish(session, FinishReason.CANCELLED, session.tracker().flush());
        }
    }

    /** Registers a started session: cancels, shutdown and {@link #get} find it until it ends. */
    public void add(S session) {
        running.put(session.id(), session);
    }

    /** The running session of a request; null when none runs (never started here, or ended). */
    public S get(String requestId) {
        return running.get(requestId);
    }

    /** Refuses a request that was given {@code slot} but cannot start; the slot passes on. */
    public void refuse(GenerateRequest request, int slot, ProtocolError error) {
        reject(request, error);
        handOver(admission.release(request.requestId(), slot));
    }

    /** Ends the session with a {@code done} event carrying {@code text} (held-back text), unless it has ended. */
    public void finish(S session, FinishReason reason, String text) {
        if (end(session)) {
            replies.reply(session.request().replyTopic(), new GenerationEvent.Done(session.id(), session.round(), reason, text,
                    new GenerationEvent.Usage(session.promptLength(), session.tracker().completionTokens()), session.stats()));
        }
    }

    /** Ends the session with an {@code error} event, unless it has ended. */
    public void fail(S session, ErrorCode code, String message) {
        if (end(session)) {
            replies.reply(session.request().replyTopic(), new GenerationEvent.Error(session.id(), session.round(), code, message));
        }
    }

    /** Fails the session for a decode that failed: OVERLOADED when the engine is saturated, INTERNAL otherwise. */
    public void failDecode(S session, Throwable failure) {
        Throwable cause = DecodeFailures.cause(failure);
        ProtocolError error = DecodeFailures.toError(cause, server);
        if (error.code() == ErrorCode.INTERNAL) {
            LOG.warn("Decoding for {} failed", session.id(), cause);
        }
        synchronized (session) {
            fail(session, error.code(), error.message());
        }
    }

    /** Fails the session when its request's deadline has passed (checked after each commit): true when it did. */
    public boolean pastDeadline(S session) {
        long deadline = session.request().deadlineAtMillis();
        if (deadline > 0 && System.currentTimeMillis() > deadline) {
            fail(session, ErrorCode.DEADLINE_EXCEEDED, "The request's deadline passed after "
                    + session.tracker().completionTokens() + " tokens");
            return true;
        }
        return false;
    }

    /** Sessions running now. */
    public int running() {
        return running.size();
    }

    /** Requests waiting for a slot. */
    public int waiting() {
        return admission.waiting();
    }

    /** Ends every waiting request and running session with an INTERNAL error (at shutdown). */
    public void close() {
        String message = "The " + server + " is shutting down";
        for (GenerateRequest waiting : admission.drainWaiting()) {
            service.rejected();
            replies.reply(waiting.replyTopic(), new GenerationEvent.Error(waiting.requestId(), 0, ErrorCode.INTERNAL, message));
        }
        for (S session : running.values()) {
            synchronized (session) {
                fail(session, ErrorCode.INTERNAL, message);
            }
        }
    }

    private boolean end(S session) {
        if (!session.end()) {
            return false;
        }
        running.remove(session.id());
        service.release(session);
        handOver(admission.release(session.id(), session.slot()));
        return true;
    }

    private void handOver(SlotAdmission.Handover next) {
        if (next != null) {
            starter.execute(() -> startWaiting(next.request(), next.slot()));
        }
    }

    private void startWaiting(GenerateRequest request, int slot) {
        if (request.deadlineAtMillis() > 0 && System.currentTimeMillis() > request.deadlineAtMillis()) {
            refuse(request, slot, new ProtocolError(ErrorCode.DEADLINE_EXCEEDED,
                    "The request's deadline passed while it waited for capacity"));
            return;
        }
        service.start(request, slot);
    }

    private void reject(GenerateRequest request, ProtocolError error) {
        admission.refused(request.requestId());
        service.rejected();
        replies.reply(request.replyTopic(), new GenerationEvent.Error(request.requestId(), 0, error.code(), error.message()));
    }
}
