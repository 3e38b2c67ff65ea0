package io.speculum.cascade;

import io.speculum.protocol.CascadeReply;
import io.speculum.protocol.GenerateTopicRecord;

/** Where the router's messages go: the small and large models' request topics, and the client's reply topic. */
public interface CascadeOutput {

    void toSmall(GenerateTopicRecord record);

    void toLarge(GenerateTopicRecord record);

    void reply(String replyTopic, CascadeReply reply);
}
