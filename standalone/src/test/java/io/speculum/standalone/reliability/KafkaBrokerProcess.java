package io.speculum.standalone.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A Kafka broker in a JVM of its own: Kafka's own server main ({@code kafka.Kafka}, from the Maven jars on this JVM's
 * class path; no Docker), one KRaft node that is broker and controller, on a fixed port, its storage formatted once
 * by Kafka's storage tool. It can be killed ({@code kill -9}) or stopped cleanly and started again on the same port and
 * storage, so that clients find it where it was.
 */
final class KafkaBrokerProcess implements AutoCloseable {

    private final Path dir;
    private final Path config;
    private final Path log;
    private final int port;
    private Process process;

    private KafkaBrokerProcess(Path dir, int port) {
        this.dir = dir;
        this.config = dir.resolve("server.properties");
        this.log = dir.resolve("broker.log");
        this.port = port;
    }

    /** Writes the broker's configuration under {@code dir} (a fresh directory) and formats its storage. */
    static KafkaBrokerProcess format(Path dir) {
        KafkaBrokerProcess broker = new KafkaBrokerProcess(dir, ServiceProcess.freePort());
        int controllerPort = ServiceProcess.freePort();
        Properties server = new Properties();
        server.putAll(Map.ofEntries(
                Map.entry("process.roles", "broker,controller"),
                Map.entry("node.id", "1"),
                Map.entry("controller.quorum.voters", "1@localhost:" + controllerPort),
                Map.entry("listeners", "PLAINTEXT://localhost:" + broker.port + ",CONTROLLER://localhost:" + controllerPort),
                Map.entry("advertised.listeners", "PLAINTEXT://localhost:" + broker.port),
                Map.entry("controller.listener.names", "CONTROLLER"),
                Map.entry("inter.broker.listener.name", "PLAINTEXT"),
                Map.entry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
                Map.entry("log.dirs", dir.resolve("data").toString()),
                Map.entry("num.partitions", "3"),
                // one node: every internal topic has one replica, and few partitions so that it starts fast
                Map.entry("offsets.topic.replication.factor", "1"),
                Map.entry("offsets.topic.num.partitions", "5"),
                Map.entry("transaction.state.log.replication.factor", "1"),
                Map.entry("transaction.state.log.min.isr", "1"),
                Map.entry("share.coordinator.state.topic.replication.factor", "1"),
                Map.entry("share.coordinator.state.topic.min.isr", "1"),
                Map.entry("group.initial.rebalance.delay.ms", "0")));
        try {
            Files.createDirectories(dir);
            try (var out = Files.newBufferedWriter(broker.config)) {
                server.store(out, "external KRaft broker of the reliability harness");
            }
            Files.writeString(dir.resolve("logback.xml"), """
                    <configuration>
                      <appender name="out" class="ch.qos.logback.core.ConsoleAppender">
                        <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{30} - %msg%n</pattern></encoder>
                      </appender>
                      <logger name="kafka.server" level="INFO"/>
                      <root level="WARN"><appender-ref ref="out"/></root>
                    </configuration>
                    """);
            Process tool = broker.java("kafka.tools.StorageTool", "format", "--cluster-id", Uuid.randomUuid().toString(),
                    "--config", broker.config.toString()).start();
            if (!tool.waitFor(120, TimeUnit.SECONDS) || tool.exitValue() != 0) {
                tool.destroyForcibly();
                throw new IllegalStateException("formatting the broker's storage failed; see " + broker.log);
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not prepare the broker in " + dir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return broker;
    }

    /** Starts the broker and waits until it answers a client. */
    synchronized KafkaBrokerProcess start(Duration limit) {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("the broker is running");
        }
        try {
            process = java("kafka.Kafka", config.toString()).start();
        } catch (IOException e) {
            throw new IllegalStateException("could not start the broker", e);
        }
        awaitUp(limit);
        return this;
    }

    /** {@code kill -9}: no controlled shutdown, the log is recovered at the next start. */
    synchronized void kill() {
        stop(true);
    }

    /** SIGTERM: Kafka's controlled shutdown (the clients are told, the log is closed cleanly). */
    synchronized void stopCleanly() {
        stop(false);
    }

    String bootstrapServers() {
        return "localhost:" + port;
    }

    Path log() {
        return log;
    }

    @Override
    public synchronized void close() {
        stop(false);
    }

    private void stop(boolean hard) {
        if (process == null || !process.isAlive()) {
            return;
        }
        try {
            if (hard) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            } else {
                process.destroy();
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private void awaitUp(Duration limit) {
        long end = System.nanoTime() + limit.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000))) {
            while (System.nanoTime() < end) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the broker exited with " + process.exitValue() + "; see " + log);
                }
                try {
                    if (!admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception notYet) {
                    Thread.sleep(200);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new IllegalStateException("the broker did not answer within " + limit + "; see " + log);
    }

    private ProcessBuilder java(String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms256m", "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Dlogback.configurationFile=" + dir.resolve("logback.xml"),
                "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    }
}
