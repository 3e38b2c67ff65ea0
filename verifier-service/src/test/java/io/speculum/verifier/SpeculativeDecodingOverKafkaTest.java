package io.speculum.verifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.speculum.drafter.DraftService;
import io.speculum.drafter.DrafterApplication;
import io.speculum.drafter.drafters.ModelDrafter;
import io.speculum.llama.DrafterDerivation;
import io.speculum.llama.DrafterDeriver;
import io.speculum.llama.Model;
import io.speculum.llama.WeightFormat;
import io.speculum.math.SamplingParams;
import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.GenerationEvent;
import io.speculum.protocol.ProtocolCodec;
import io.speculum.protocol.ProtocolError.ErrorCode;
import io.speculum.protocol.SpeculationPolicy;
import io.speculum.protocol.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.springframework.kafka.test.utils.ContainerTestUtils;
import org.springframework.web.client.RestClient;

/**
 * The drafter-service and the verifier-service as two Spring applications over a real (in-process KRaft) broker,
 * driven by a plain Kafka client as any user would: the output is exactly the target model's, whatever the network
 * repeats, and whatever happens to the drafter.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SpeculativeDecodingOverKafkaTest {

    private static final Path SHARED = Path.of(System.getProperty("speculum.shared.dir"));
    private static final Path TARGET = SHARED.resolve("models/stories260K.gguf");
    private static final String REPLIES = "test-replies";
    private static final int TOKENS = 48;

    @TempDir
    static Path work;

    private static EmbeddedKafkaKraftBroker broker;
    private static ConfigurableApplicationContext verifierApp;
    private static ConfigurableApplicationContext drafterApp;
    private static Model target;
    private static KafkaProducer<String, byte[]> producer;
    private static ReplyCollector replies;
    private static Path q8;

    @BeforeAll
    static void start() {
        broker = new EmbeddedKafkaKraftBroker(1, 3, Topics.GENERATE, Topics.DRAFT, Topics.VERIFY, Topics.DEAD_LETTER, REPLIES);
        broker.afterPropertiesSet();
        q8 = new DrafterDeriver().derive(new DrafterDerivation(TARGET, work.resolve("q8.gguf"), WeightFormat.Q8_0, 0)).file();
        target = Model.load(TARGET);
        drafterApp = startDrafter(q8);
        verifierApp = VerifierApplication.builder().run(
                "--server.port=0",
                "--spring.kafka.bootstrap-servers=" + broker.getBrokersAsString(),
                "--speculum.verifier.model.path=" + TARGET,
                "--speculum.verifier.max-sessions=4",
                "--speculum.verifier.tree-branches=4", // drafters that build trees (recycling) send them
                "--speculum.verifier.draft-timeout=300ms");
        awaitAssignment(verifierApp);
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString(),
                ProducerConfig.LINGER_MS_CONFIG, 0), new StringSerializer(), new ByteArraySerializer());
        replies = new ReplyCollector(broker.getBrokersAsString(), List.of(REPLIES, Topics.DEAD_LETTER));
    }

    @AfterAll
    static void stop() {
        replies.close();
        producer.close();
        if (drafterApp != null) {
            drafterApp.close();
        }
        verifierApp.close();
        target.close();
        broker.destroy();
    }

    @Test
    @Order(1)
    void greedyOutputOverKafkaIsTheTargetModelsOwn() {
        List<String> prompts = List.of("Once upon a time, there was a little girl named Lily.",
                "The sun was shining and the birds", "Tom had a big red ball. One day,", "Mia and her mom went to the park",
                "There once was a dog who liked to");
        List<String> ids = IntStream.range(0, prompts.size()).mapToObj(i -> "greedy-" + i).toList();
        for (int i = 0; i < prompts.size(); i++) {
            send(request(ids.get(i), prompts.get(i), SpeculationPolicy.fixed(4)));
        }
        int drafted = 0;
        for (int i = 0; i < prompts.size(); i++) {
            GenerationEvent end = replies.awaitEnd(ids.get(i));
            assertThat(end).isInstanceOf(GenerationEvent.Done.class);
            assertThat(replies.tokens(ids.get(i))).as(prompts.get(i)).containsExactly(expected(prompts.get(i)));
            drafted += ((GenerationEvent.Done) end).stats().draftedTokens();
        }
        assertThat(drafted).as("drafts came over Kafka and were verified").isGreaterThan(prompts.size() * 4);
        ModelDrafter drafter = (ModelDrafter) drafterApp.getBean(DraftService.class).drafter("model");
        Awaitility.await("the release messages free the drafter's KV sequences").atMost(Duration.ofSeconds(20))
                .until(() -> drafter.cachedRequests().join() == 0);
        String metrics = RestClient.create("http://localhost:" + verifierApp.getEnvironment().getProperty("local.server.port"))
                .get().uri("/actuator/prometheus").retrieve().body(String.class);
        assertThat(metrics).containsPattern("speculum_spec_decode_num_draft_tokens_total(\\{[^}]*\\})? [1-9]")
                .contains("speculum_spec_decode_num_accepted_tokens_per_pos_total{")
                .contains("speculum_spec_decode_draft_hop_seconds_bucket");
    }

    @Test
    @Order(2)
    void trainingFreeDraftersAndTheAutomaticPolicyOverKafkaAreExact() {
        String prompt = "Lily and Ben played with the ball. Lily threw the ball to Ben. Ben threw the ball to";
        Map<String, SpeculationPolicy> policies = Map.of(
                "tf-ngram", SpeculationPolicy.fixed(8).withDrafter("ngram"),
                "tf-recycling", SpeculationPolicy.fixed(4).withDrafter("recycling"),
                "tf-hybrid", SpeculationPolicy.fixed(8).withDrafter("hybrid"),
                "tf-auto", SpeculationPolicy.defaults());
        policies.forEach((id, policy) -> send(request(id, prompt, policy)));
        for (String id : policies.keySet()) {
            GenerationEvent end = replies.awaitEnd(id);
            assertThat(end).as(id).isInstanceOf(GenerationEvent.Done.class);
            assertThat(replies.tokens(id)).as(id).containsExactly(expected(prompt));
        }
        // recycling drafts only from what the verifier's successor candidates taught it over Kafka, and sends trees
        assertThat(((GenerationEvent.Done) replies.awaitEnd("tf-recycling")).stats().draftedTokens()).isPositive();
        assertThat(replies.events("tf-recycling").stream().filter(e -> e instanceof GenerationEvent.Round r
                && r.stats().drafted() > r.stats().requested())).as("rounds that verified a tree").isNotEmpty();
        assertThat(((GenerationEvent.Done) replies.awaitEnd("tf-ngram")).stats().draftedTokens()).isPositive();
        assertThat(replies.events("tf-auto").stream().filter(e -> e instanceof GenerationEvent.Round r && r.round() > 0))
                .as("every round says which k it asked for")
                .allSatisfy(e -> assertThat(((GenerationEvent.Round) e).stats().requested()).isBetween(0, 8));
        String metrics = RestClient.create("http://localhost:" + verifierApp.getEnvironment().getProperty("local.server.port"))
                .get().uri("/actuator/prometheus").retrieve().body(String.class);
        assertThat(metrics).contains("speculum_spec_decode_drafter_acceptance_rate{drafter=\"ngram\"")
                .contains("speculum_spec_decode_drafter_draft_tokens_total{drafter=\"recycling\"")
                .contains("speculum_spec_decode_draft_length_count");
    }

    @Test
    @Order(3)
    void duplicatedAndReplayedRequestsDoNotChangeTheOutput() throws Exception {
        String prompt = "Ben found a shiny stone in the garden.";
        GenerateRequest request = request("dup", prompt, SpeculationPolicy.fixed(4));
        send(request);
        send(request); // at-least-once delivery: the same record twice
        replies.awaitEnd("dup");
        send(request); // replayed after it ended
        Thread.sleep(1000);
        assertThat(replies.events("dup").stream().filter(GenerationEvent::ends)).hasSize(1);
        assertThat(replies.tokens("dup")).containsExactly(expected(prompt));
        assertThat(replies.events("dup").stream().mapToInt(GenerationEvent::round).toArray()).isSorted().doesNotHaveDuplicates();
    }

    @Test
    @Order(4)
    void aRecordThatCannotBeReadGoesToTheDeadLetterTopicWithItsReason() {
        String key = "garbage-" + UUID.randomUUID();
        producer.send(new ProducerRecord<>(Topics.GENERATE, key, "{not json".getBytes(StandardCharsets.UTF_8)));
        ConsumerRecord<String, byte[]> dead = replies.awaitDeadLetter(key);
        assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("{not json");
        Header reason = dead.headers().lastHeader("kafka_dlt-exception-message");
        assertThat(reason).isNotNull();
        assertThat(new String(reason.value(), StandardCharsets.UTF_8)).contains("Malformed");
        // the verifier goes on serving
        send(request("after-garbage", "Lily liked to", SpeculationPolicy.fixed(2)).withMaxTokens(8));
        assertThat(replies.awaitEnd("after-garbage")).isInstanceOf(GenerationEvent.Done.class);
    }

    @Test
    @Order(5)
    void aDrafterStoppedMidGenerationLeavesTheRequestCompletingExactly() {
        String prompt = "Once upon a time, in a small town, there lived a boy named Sam.";
        send(request("orphan", prompt, SpeculationPolicy.fixed(4)).withMaxTokens(400));
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> replies.events("orphan").size() >= 2);
        drafterApp.close();
        drafterApp = null;
        GenerationEvent end = replies.awaitEnd("orphan");
        assertThat(end).isInstanceOf(GenerationEvent.Done.class);
        assertThat(replies.tokens("orphan")).containsExactly(expected(prompt, 400));
        SpeculativeVerifier verifier = verifierApp.getBean(SpeculativeVerifier.class);
        assertThat(verifier.statistics().draftTimeouts()).as("rounds went on without the drafter").isPositive();
    }

    @Test
    @Order(6)
    void aDrafterWithAnotherVocabularyEndsTheRequestWithAClearError() {
        drafterApp = startDrafter(SHARED.resolve("models/TinyStories-656K-f32.gguf"));
        send(request("vocab", "Once upon a time", SpeculationPolicy.fixed(4)));
        GenerationEvent end = replies.awaitEnd("vocab");
        assertThat(end).isInstanceOfSatisfying(GenerationEvent.Error.class, error -> {
            assertThat(error.code()).isEqualTo(ErrorCode.VOCABULARY_MISMATCH);
            assertThat(error.message()).contains("vocabulary");
        });
    }

    private static ConfigurableApplicationContext startDrafter(Path model) {
        ConfigurableApplicationContext app = DrafterApplication.builder().run(
                "--server.port=0",
                "--spring.kafka.bootstrap-servers=" + broker.getBrokersAsString(),
                "--speculum.drafter.model.path=" + model);
        awaitAssignment(app);
        return app;
    }

    /** Requests sent before a listener owns its partitions wait for the group to settle, and drafts time out. */
    private static void awaitAssignment(ConfigurableApplicationContext app) {
        for (MessageListenerContainer container : app.getBean(KafkaListenerEndpointRegistry.class).getListenerContainers()) {
            ContainerTestUtils.waitForAssignment(container, 3);
        }
    }

    private static GenerateRequest request(String id, String prompt, SpeculationPolicy policy) {
        return new GenerateRequest(id, REPLIES, "stories260K", prompt, null, TOKENS, SamplingParams.greedy(), List.of(),
                policy, 0, 0);
    }

    private static void send(GenerateRequest request) {
        producer.send(new ProducerRecord<>(Topics.GENERATE, request.requestId(), ProtocolCodec.write(request)));
        producer.flush();
    }

    private static int[] expected(String prompt) {
        return expected(prompt, TOKENS);
    }

    private static int[] expected(String prompt, int tokens) {
        return TargetOnly.generate(target, target.vocabulary().tokenize(prompt, true, false), tokens, SamplingParams.greedy());
    }

    /** Reads the reply and dead-letter topics in the background, as a client would. */
    private static final class ReplyCollector implements AutoCloseable {

        private final Map<String, List<GenerationEvent>> events = new ConcurrentHashMap<>();
        private final List<ConsumerRecord<String, byte[]>> deadLetters = new CopyOnWriteArrayList<>();
        private final Thread thread;
        private volatile boolean running = true;

        ReplyCollector(String bootstrap, List<String> topics) {
            KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.GROUP_ID_CONFIG, "test-client-" + UUID.randomUUID(),
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new ByteArrayDeserializer());
            consumer.subscribe(topics);
            thread = Thread.ofPlatform().daemon().name("reply-collector").start(() -> {
                try (consumer) {
                    while (running) {
                        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                            if (record.topic().equals(Topics.DEAD_LETTER)) {
                                deadLetters.add(record);
                            } else {
                                GenerationEvent event = ProtocolCodec.read(record.value(), GenerationEvent.class);
                                events.computeIfAbsent(event.requestId(), id -> new CopyOnWriteArrayList<>()).add(event);
                            }
                        }
                    }
                }
            });
        }

        List<GenerationEvent> events(String id) {
            return events.getOrDefault(id, List.of());
        }

        GenerationEvent awaitEnd(String id) {
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> events(id).stream().anyMatch(GenerationEvent::ends));
            return events(id).stream().filter(GenerationEvent::ends).findFirst().orElseThrow();
        }

        int[] tokens(String id) {
            List<Integer> tokens = new ArrayList<>();
            events(id).stream().filter(e -> e instanceof GenerationEvent.Round)
                    .forEach(e -> {
                        for (int t : ((GenerationEvent.Round) e).tokens()) {
                            tokens.add(t);
                        }
                    });
            return tokens.stream().mapToInt(Integer::intValue).toArray();
        }

        ConsumerRecord<String, byte[]> awaitDeadLetter(String key) {
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> deadLetters.stream().anyMatch(r -> key.equals(r.key())));
            return deadLetters.stream().filter(r -> key.equals(r.key())).findFirst().orElseThrow();
        }

        @Override
        public void close() {
            running = false;
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
