package io.speculum.cascade;

import io.speculum.protocol.CascadeReply;
import io.speculum.protocol.GenerateTopicRecord;
import io.speculum.protocol.ProtocolCodec;
import io.speculum.protocol.Topics;
import io.speculum.service.ReplySender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/** The router's messages as Kafka records keyed by their request id. */
@Component
class KafkaCascadeOutput implements CascadeOutput {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaCascadeOutput.class);

    private final KafkaTemplate<String, byte[]> kafka;

    private final ReplySender replies;

    KafkaCascadeOutput(KafkaTemplate<String, byte[]> kafka, ReplySender replies) {
        this.kafka = kafka;
        this.replies = replies;
    }

    @Override
    public void toSmall(GenerateTopicRecord record) {
        send(Topics.SMALL_GENERATE, record.requestId(), record);
    }

    @Override
    public void toLarge(GenerateTopicRecord record) {
        send(Topics.GENERATE, record.requestId(), record);
    }

    @Override
    public void reply(String replyTopic, CascadeReply reply) {
        replies.send(replyTopic, reply.requestId(), reply);
    }

    private void send(String topic, String key, Object message) {
        kafka.send(topic, key, ProtocolCodec.write(message)).whenComplete((result, failure) -> {
            if (failure != null) {
                LOG.error("Could not publish {} for {} to {}", message.getClass().getSimpleName(), key, topic, failure);
            }
        });
    }
}
