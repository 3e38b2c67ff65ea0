package io.speculum.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;

/**
 * The drafter-service in a JVM of its own (this JVM's classpath), as it is deployed: a process-wide lock serialises
 * {@code llama_decode} across all contexts of one process (NativeDecodeLock, for b4916's CPU backend), so in one JVM
 * every draft would wait for the verifier's decodes of other requests. Its log goes to a file beside the models.
 */
final class DrafterProcess implements AutoCloseable {

    private static final String GROUP = "speculum-drafter";

    private final Process process;
    private final Path log;

    DrafterProcess(String bootstrap, Path work, List<String> arguments) throws IOException {
        log = work.resolve("drafter-service.log");
        Path nativeTmp = Files.createDirectories(work.resolve("drafter-llama-tmp"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Dde.kherud.llama.tmpdir=" + nativeTmp,
                "-Dspeculum.llama.tmpdir=" + nativeTmp, "-cp", System.getProperty("java.class.path"),
                DrafterWithEcho.class.getName(), "--server.port=0", "--spring.kafka.bootstrap-servers=" + bootstrap,
                "--logging.level.root=warn", "--spring.main.banner-mode=off"));
        command.addAll(arguments);
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(process::destroyForcibly));
        awaitAssignment(bootstrap);
    }

    /** Until the drafter's consumer group has a member that owns partitions of the draft topic. */
    private void awaitAssignment(String bootstrap) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the drafter-service process ended with " + process.exitValue()
                            + "; its log: " + log + "\n" + tail());
                }
                try {
                    ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(GROUP)).all()
                            .get(10, TimeUnit.SECONDS).get(GROUP);
                    if (group != null && group.members().stream().map(MemberDescription::assignment)
                            .anyMatch(a -> !a.topicPartitions().isEmpty())) {
                        return;
                    }
                } catch (Exception e) {
                    // the group does not exist yet
                }
                Thread.sleep(Duration.ofMillis(200));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new IllegalStateException("the drafter-service did not join its consumer group within 3 minutes; its log: " + log);
    }

    private String tail() throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
