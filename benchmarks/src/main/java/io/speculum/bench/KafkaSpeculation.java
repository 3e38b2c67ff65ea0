package io.speculum.bench;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.speculum.llama.EngineStatistics;
import io.speculum.llama.InferenceEngine;
import io.speculum.protocol.GenerateRequest;
import io.speculum.protocol.GenerationEvent;
import io.speculum.protocol.ProtocolCodec;
import io.speculum.protocol.Topics;
import io.speculum.verifier.SpeculativeVerifier;
import io.speculum.verifier.VerifierApplication;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.springframework.kafka.test.utils.ContainerTestUtils;

/**
 * Speculation over Kafka: an in-process KRaft broker, the verifier-service as a Spring application in this JVM and
 * the drafter-service in a JVM of its own ({@link DrafterProcess}), driven with plain Kafka clients as any client
 * would drive them.
 */
final class KafkaSpeculation implements AutoCloseable {

    private static final String PING = DrafterWithEcho.PING;
    private static final String PONG = DrafterWithEcho.PONG;

    private final EmbeddedKafkaKraftBroker broker;
    private final DrafterProcess drafterProcess;
    private final ConfigurableApplicationContext verifierApp;
    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<String, byte[]> consumer;
    private final HopSpy spy;

    /**
     * @param drafterName the name the drafter-service serves its model drafter under (requests ask for it)
     */
    KafkaSpeculation(Path target, Path drafter, String drafterName, int sessions, int batchSize, int threads, Duration draftTimeout,
                     Path work) throws java.io.IOException {
        this(target, drafter, drafterName, sessions, batchSize, threads, draftTimeout, false, work);
    }

    /** With {@code deterministic}: the verifier-service with {@code speculum.verifier.deterministic=true}. */
    KafkaSpeculation(Path target, Path drafter, String drafterName, int sessions, int batchSize, int threads, Duration draftTimeout,
                     boolean deterministic, Path work) throws java.io.IOException {
        broker = new EmbeddedKafkaKraftBroker(1, 3, Topics.GENERATE, Topics.DRAFT, Topics.VERIFY, Topics.DEAD_LETTER,
                Requests.REPLIES, PING, PONG, DrafterWithEcho.SPRING_PING, DrafterWithEcho.SPRING_PONG);
        // the broker stamps each record's append (ms): HopSpy splits a leg at it
        broker.brokerProperty("log.message.timestamp.type", "LogAppendTime");
        broker.afterPropertiesSet();
        String bootstrap = broker.getBrokersAsString();
        // -Dbench.observe=false: no Kafka observation (tracing) in either service, to see what it costs the hop
        String observe = BenchSettings.property("bench.observe", "true");
        drafterProcess = new DrafterProcess(bootstrap, work, List.of("--speculum.drafter.model.path=" + drafter,
                "--speculum.drafter.name=" + drafterName, "--speculum.drafter.sequences=" + sessions,
                "--speculum.drafter.generation.enabled=false", "--spring.kafka.listener.observation-enabled=" + observe,
                "--spring.kafka.template.observation-enabled=" + observe));
        verifierApp = VerifierApplication.builder().run("--server.port=0", "--spring.kafka.bootstrap-servers=" + bootstrap,
                "--speculum.verifier.model.path=" + target, "--speculum.verifier.threads=" + threads,
                "--speculum.verifier.max-sessions=" + sessions, "--speculum.verifier.batch-size=" + batchSize,
                "--speculum.verifier.draft-timeout=" + draftTimeout.toMillis() + "ms",
                "--speculum.verifier.batch-invariant=" + InProcessSpeculation.BATCH_INVARIANT,
                "--speculum.verifier.deterministic=" + deterministic,
                "--spring.kafka.listener.observation-enabled=" + observe, "--spring.kafka.template.observation-enabled=" + observe,
                "--logging.level.root=warn", "--spring.main.banner-mode=off");
        awaitAssignment(verifierApp);
        producer = producer(bootstrap);
        consumer = consumer(bootstrap, "bench");
        consumer.subscribe(List.of(Requests.REPLIES));
        while (consumer.assignment().isEmpty()) {
            consumer.poll(Duration.ofMillis(50));
        }
        spy = new HopSpy(bootstrap);
    }

    /** A bare consumer's view of the hop's two legs (see {@link HopSpy}). */
    HopSpy spy() {
        return spy;
    }

    /** Requests sent before a listener owns its partitions wait for the group to settle, and drafts time out. */
    private static void awaitAssignment(ConfigurableApplicationContext app) {
        for (MessageListenerContainer container : app.getBean(KafkaListenerEndpointRegistry.class).getListenerContainers()) {
            ContainerTestUtils.waitForAssignment(container, 3);
        }
    }

    /** Sends every request at once and waits for all of them to end (each timed from the first send). */
    Wave run(List<GenerateRequest> requests) {
        long started = System.nanoTime();
        Map<String, List<GenerationEvent>> events = new LinkedHashMap<>();
        for (GenerateRequest request : requests) {
            events.put(request.requestId(), new ArrayList<>());
            producer.send(new ProducerRecord<>(Topics.GENERATE, request.requestId(), ProtocolCodec.write(request)));
        }
        producer.flush();
        Map<String, Generation> done = new HashMap<>();
        long deadline = started + TimeUnit.MINUTES.toNanos(30);
        while (done.size() < requests.size()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no terminal event for " + (requests.size() - done.size()) + " requests over Kafka");
            }
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(5))) {
                GenerationEvent event = ProtocolCodec.read(record.value(), GenerationEvent.class);
                List<GenerationEvent> list = events.get(event.requestId());
                if (list == null || done.containsKey(event.requestId())) {
                    continue; // another run's
                }
                list.add(event);
                if (event.ends()) {
                    done.put(event.requestId(), Generation.of(event.requestId(), list, (System.nanoTime() - started) / 1e9));
                }
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        return new Wave(requests.stream().map(r -> done.get(r.requestId())).toList(), seconds);
    }

    /** Rounds that found no draft within the verifier-service's deadline and were decoded without one, so far. */
    long draftTimeouts() {
        return verifierApp.getBean(SpeculativeVerifier.class).statistics().draftTimeouts();
    }

    /** The verifier-service engine's counters: sessions per decode. */
    EngineStatistics engineStatistics() {
        return verifierApp.getBean(InferenceEngine.class).statistics();
    }

    /** Rounds that verified a pre-draft that was ready when they began, so far. */
    long pipelinedRounds() {
        return verifierApp.getBean(SpeculativeVerifier.class).statistics().pipelinedRounds();
    }

    /** The mean bytes of a draft request and of a proposal on the hop so far (the verifier's meters). */
    int[] meanDraftMessageBytes() {
        MeterRegistry meters = verifierApp.getBean(MeterRegistry.class);
        return new int[] {meanBytes(meters, "request"), meanBytes(meters, "proposal")};
    }

    /** The broker's acknowledgement of a draft request, p50 and p99 ms (the verifier's meter). */
    double[] draftRequestAckMillis() {
        return timerMillis("speculum.spec_decode.draft_request_ack");
    }

    /** From a draft request's stamp until the producer accepted it, p50 and p99 ms (the verifier's meter). */
    double[] draftRequestSendMillis() {
        return timerMillis("speculum.spec_decode.draft_request_send");
    }

    private double[] timerMillis(String name) {
        io.micrometer.core.instrument.Timer timer = verifierApp.getBean(MeterRegistry.class).find(name).timer();
        if (timer == null) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double[] millis = {Double.NaN, Double.NaN};
        for (io.micrometer.core.instrument.distribution.ValueAtPercentile p : timer.takeSnapshot().percentileValues()) {
            millis[p.percentile() < 0.9 ? 0 : 1] = p.value(java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        return millis;
    }

    private static int meanBytes(MeterRegistry meters, String direction) {
        DistributionSummary summary = meters.find("speculum.spec_decode.draft_message_bytes").tag("direction", direction).summary();
        return summary == null ? 0 : (int) Math.round(summary.mean());
    }

    /**
     * Round trips ping -> echo -> pong of {@code payload} bytes, the echo in the drafter-service's JVM
     * ({@link DrafterWithEcho}), the pinger in this one (the verifier's): the floor any two-hop exchange between these
     * two processes over this broker pays.
     */
    double[] pingPong(int rounds, int payload) throws Exception {
        return pingPong(rounds, payload, () -> { });
    }

    /** The same, running {@code before} ahead of each ping (a pause, a decode: what a round does between hops). */
    double[] pingPong(int rounds, int payload, Runnable before) throws Exception {
        String bootstrap = broker.getBrokersAsString();
        byte[] bytes = new byte[payload];
        try (KafkaConsumer<String, byte[]> in = consumer(bootstrap, "bench-pinger"); KafkaProducer<String, byte[]> out = producer(bootstrap)) {
            in.subscribe(List.of(PONG));
            while (in.assignment().isEmpty()) {
                in.poll(Duration.ofMillis(50));
            }
            double[] times = new double[rounds];
            for (int i = -50; i < rounds; i++) {
                String key = Integer.toString(i);
                before.run();
                long started = System.nanoTime();
                out.send(new ProducerRecord<>(PING, key, bytes));
                boolean back = false;
                long deadline = started + TimeUnit.SECONDS.toNanos(30);
                while (!back && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, byte[]> record : in.poll(Duration.ofMillis(100))) {
                        back |= record.key().equals(key);
                    }
                }
                if (!back) {
                    throw new IllegalStateException("ping " + i + " did not come back from the drafter's JVM");
                }
                if (i >= 0) {
                    times[i] = (System.nanoTime() - started) / 1e6;
                }
            }
            return times;
        }
    }

    /**
     * The same round trips through the services' own Kafka path: the verifier-service's listener container factory
     * and hop template on this side, the drafter-service's on the other ({@link DrafterWithEcho#SPRING_PING}).
     */
    double[] springPingPong(int rounds, int payload, Runnable before) throws Exception {
        return springPingPong(rounds, payload, before, false);
    }

    /**
     * With {@code withReply}, each ping follows a record sent through the verifier-service's main template to the
     * reply topic (acknowledged by all replicas, idempotent, observed), as a round's event precedes its draft request.
     */
    @SuppressWarnings("unchecked")
    double[] springPingPong(int rounds, int payload, Runnable before, boolean withReply) throws Exception {
        org.springframework.kafka.core.KafkaTemplate<String, byte[]> replies = verifierApp.getBean(org.springframework.kafka.core.KafkaTemplate.class);
        byte[] bytes = new byte[payload];
        java.util.concurrent.BlockingQueue<String> back = new java.util.concurrent.LinkedBlockingQueue<>();
        org.springframework.kafka.core.KafkaTemplate<String, byte[]> out =
                io.speculum.service.DraftHopTemplate.of(verifierApp.getBean(org.springframework.kafka.core.KafkaTemplate.class));
        org.springframework.kafka.listener.AbstractMessageListenerContainer<String, byte[]> in = (org.springframework.kafka.listener.AbstractMessageListenerContainer<String, byte[]>) verifierApp
                .getBean(org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory.class)
                .createContainer(DrafterWithEcho.SPRING_PONG);
        in.getContainerProperties().setGroupId("bench-spring-pinger");
        in.getContainerProperties().setMessageListener(
                (org.springframework.kafka.listener.MessageListener<String, byte[]>) record -> back.add(record.key()));
        in.start();
        try {
            ContainerTestUtils.waitForAssignment(in, 3);
            double[] times = new double[rounds];
            for (int i = -50; i < rounds; i++) {
                String key = Integer.toString(i);
                before.run();
                long started = System.nanoTime();
                if (withReply) {
                    replies.send(Requests.REPLIES, key, bytes);
                }
                out.send(DrafterWithEcho.SPRING_PING, key, bytes);
                String got;
                do {
                    got = back.poll(30, TimeUnit.SECONDS);
                    if (got == null) {
                        throw new IllegalStateException("spring ping " + i + " did not come back from the drafter's JVM");
                    }
                } while (!got.equals(key));
                if (i >= 0) {
                    times[i] = (System.nanoTime() - started) / 1e6;
                }
            }
            return times;
        } finally {
            in.stop();
            io.speculum.service.DraftHopTemplate.close(out);
        }
    }

    private static KafkaConsumer<String, byte[]> consumer(String bootstrap, String group) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new ByteArrayDeserializer());
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.ACKS_CONFIG, "1", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false),
                new StringSerializer(), new ByteArraySerializer());
    }

    @Override
    public void close() throws InterruptedException {
        spy.close();
        consumer.close();
        producer.close();
        verifierApp.close();
        drafterProcess.close();
        broker.destroy();
    }
}
