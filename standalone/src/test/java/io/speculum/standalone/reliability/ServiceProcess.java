package io.speculum.standalone.reliability;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Speculum service in a JVM of its own, started from this JVM's class path with its main class and properties
 * (as command-line arguments), its output in a log file. It can be killed the hard way ({@code kill -9}:
 * {@link Process#destroyForcibly()} is SIGKILL on Linux and macOS) and started again with the same ports and
 * properties. Its HTTP port is fixed up front, so that a restarted service is found where it was; health and metrics
 * are read on its management port where it has one ({@code management.server.port}), else on that port.
 */
public final class ServiceProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final String mainClass;
    private final Map<String, String> properties;
    private final int port;
    private final Path log;
    private Process process;

    /**
     * @param name       the service's name (log file, messages)
     * @param mainClass  its Spring Boot application class
     * @param properties its properties; {@code server.port} is chosen here unless given
     * @param logDir     where its output goes ({@code <name>.log}, appended across restarts)
     */
    public ServiceProcess(String name, String mainClass, Map<String, String> properties, Path logDir) {
        this.name = name;
        this.mainClass = mainClass;
        this.properties = new LinkedHashMap<>(properties);
        int serverPort = Integer.parseInt(this.properties.computeIfAbsent("server.port", k -> String.valueOf(freePort())));
        this.port = Integer.parseInt(this.properties.getOrDefault("management.server.port", String.valueOf(serverPort)));
        this.log = logDir.resolve(name + ".log");
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public synchronized ServiceProcess start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is running");
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--add-modules=jdk.incubator.vector",
                // a fixed, pre-touched heap: resident memory then shows growth outside it (native, threads, code), not heap sizing
                "-XX:+UseSerialGC", "-Xms384m", "-Xmx384m", "-XX:+AlwaysPreTouch", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), mainClass));
        properties.forEach((key, value) -> command.add("--" + key + "=" + value));
        try {
            Files.createDirectories(log.getParent());
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("could not start " + name, e);
        }
        return this;
    }

    /** Waits until {@code path} on its HTTP port answers 200 (e.g. {@code /actuator/health}). */
    public ServiceProcess awaitUp(String path, Duration limit) {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
            }
            if (status(path) == 200) {
                return this;
            }
            sleep(250);
        }
        throw new IllegalStateException(name + " did not answer 200 on " + path + " within " + limit + "; see " + log);
    }

    public int status(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The value of a Prometheus sample on {@code /actuator/prometheus} (the first line naming {@code metric}), or NaN. */
    public double metric(String metric) {
        try {
            String text = HTTP.send(HttpRequest.newBuilder(URI.create(url("/actuator/prometheus"))).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher line = Pattern.compile("(?m)^" + Pattern.quote(metric) + "(\\{[^}]*})? ([-+0-9.eE]+|NaN)$").matcher(text);
            return line.find() ? Double.parseDouble(line.group(2)) : Double.NaN;
        } catch (IOException e) {
            return Double.NaN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Double.NaN;
        }
    }

    /** {@code kill -9}: no shutdown hook, no goodbye to the broker. */
    public synchronized void kill() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** Resident memory (kB) and thread count of the process, from /proc (Linux); -1 where unknown. */
    public long[] residentKbAndThreads() {
        try {
            long rss = -1;
            long threads = -1;
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("\\D", ""));
                } else if (line.startsWith("Threads:")) {
                    threads = Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
            return new long[] {rss, threads};
        } catch (IOException | RuntimeException e) {
            return new long[] {-1, -1};
        }
    }

    public String url(String path) {
        return "http://localhost:" + port + path;
    }

    public int port() {
        return port;
    }

    public String name() {
        return name;
    }

    public Path log() {
        return log;
    }

    /** A gentle stop (SIGTERM: the service shuts down in order). */
    @Override
    public synchronized void close() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
