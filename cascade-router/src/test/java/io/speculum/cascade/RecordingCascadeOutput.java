package io.speculum.cascade;

import io.speculum.protocol.CascadeReply;
import io.speculum.protocol.GenerateTopicRecord;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps what the router sends, per destination, for tests that drive it with protocol events. */
class RecordingCascadeOutput implements CascadeOutput {

    final List<GenerateTopicRecord> small = new CopyOnWriteArrayList<>();
    final List<GenerateTopicRecord> large = new CopyOnWriteArrayList<>();
    final List<CascadeReply> replies = new CopyOnWriteArrayList<>();

    @Override
    public void toSmall(GenerateTopicRecord record) {
        small.add(record);
    }

    @Override
    public void toLarge(GenerateTopicRecord record) {
        large.add(record);
    }

    @Override
    public void reply(String replyTopic, CascadeReply reply) {
        replies.add(reply);
    }
}
