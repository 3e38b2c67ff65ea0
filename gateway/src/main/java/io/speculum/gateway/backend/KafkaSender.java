package io.speculum.gateway.backend;

import io.micrometer.context.ContextExecutorService;
import io.micrometer.context.ContextSnapshotFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Kafka out, never on the caller's thread. {@code KafkaProducer.send} blocks (up to {@code max.block.ms}, 60 s) while
 * the broker is away and it has no metadata for the topic, and the gateway's callers are Netty's event loop and
 * Reactor's timer threads: one blocked send there stalls every request and every time-out of the instance (a broker
 * restart showed it: the streams' idle time-outs fired only when the broker was back). Each record is handed to the
 * producer on a virtual thread of its own instead, with the caller's context (the request's trace, which the
 * producer's observation writes into the record's headers).
 */
@Component
class KafkaSender implements DisposableBean {

    private final KafkaTemplate<String, byte[]> kafka;
    private final ExecutorService threads = ContextExecutorService.wrap(
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("kafka-send-", 0).factory()),
            ContextSnapshotFactory.builder().build()::captureAll);

    KafkaSender(KafkaTemplate<String, byte[]> kafka) {
        this.kafka = kafka;
    }

    /** Sends a record; the result completes when the broker has it, or fails when it cannot be sent. */
    CompletableFuture<Void> send(String topic, String key, byte[] value) {
        try {
            return CompletableFuture.supplyAsync(() -> kafka.send(topic, key, value), threads)
                    .thenCompose(sent -> sent.thenApply(result -> (Void) null));
        } catch (RejectedExecutionException stopping) {
            return CompletableFuture.failedFuture(stopping);
        }
    }

    @Override
    public void destroy() {
        threads.shutdown();
    }
}
