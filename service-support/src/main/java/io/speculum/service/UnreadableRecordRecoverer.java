package io.speculum.service;

import io.speculum.protocol.ProtocolCodec;
import io.speculum.protocol.ProtocolException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.ConsumerRecordRecoverer;

/**
 * What happens to a record a listener could not handle: it goes to the dead-letter topic unchanged (the wrapped
 * recoverer), and, when it was an unreadable request on a topic with an {@link UnreadableRequestReply} and still
 * names its {@code requestId} and {@code replyTopic}, the requester is told so on that reply topic: the requester
 * gets an answer rather than silence.
 */
public final class UnreadableRecordRecoverer implements ConsumerRecordRecoverer {

    private static final Logger LOG = LoggerFactory.getLogger(UnreadableRecordRecoverer.class);

    /** What an unreadable request may still say: who asked, and where the answer goes. */
    record Address(String requestId, String replyTopic) {

        boolean complete() {
            return requestId != null && !requestId.isBlank() && replyTopic != null && !replyTopic.isBlank();
        }
    }

    private final ConsumerRecordRecoverer deadLetter;
    private final ReplySender replies;
    private final Map<String, UnreadableRequestReply> repliesByTopic = new HashMap<>();

    public UnreadableRecordRecoverer(ConsumerRecordRecoverer deadLetter, ReplySender replies, List<UnreadableRequestReply> answers) {
        this.deadLetter = deadLetter;
        this.replies = replies;
        answers.forEach(answer -> answer.topics().forEach(topic -> repliesByTopic.put(topic, answer)));
    }

    @Override
    public void accept(ConsumerRecord<?, ?> record, Exception failure) {
        try {
            answer(record, failure);
        } catch (RuntimeException e) {
            // the answer is a courtesy: its failure must neither stop the dead letter nor make the record be retried
            LOG.warn("Could not answer the unreadable record {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.toString());
        }
        deadLetter.accept(record, failure);
    }

    private void answer(ConsumerRecord<?, ?> record, Exception failure) {
        UnreadableRequestReply answer = repliesByTopic.get(record.topic());
        ProtocolException unreadable = unreadable(failure);
        if (answer == null || unreadable == null || !(record.value() instanceof byte[] value)) {
            return;
        }
        Address address = address(value);
        if (address != null && address.complete()) {
            replies.send(address.replyTopic(), address.requestId(), answer.reply().apply(address.requestId(), unreadable.getMessage()));
        }
    }

    /** The protocol failure in the chain: only records that could not be read are answered INVALID_REQUEST. */
    private static ProtocolException unreadable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ProtocolException protocol) {
                return protocol;
            }
        }
        return null;
    }

    private static Address address(byte[] value) {
        try {
            return ProtocolCodec.read(value, Address.class);
        } catch (ProtocolException notEvenThat) {
            return null;
        }
    }
}
