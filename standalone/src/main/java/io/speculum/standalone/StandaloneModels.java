package io.speculum.standalone;

import io.speculum.llama.DerivedDrafter;
import io.speculum.llama.DrafterDerivation;
import io.speculum.llama.DrafterDeriver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone's models: the configured target, and a drafter that is either configured or derived from the target
 * once and kept in the cache directory (written to a temporary file first, so an interrupted start leaves no torn file).
 *
 * @param target  the verifier's GGUF
 * @param drafter the drafter's GGUF
 * @param small   the cascade's small model, or null when no small drafter runs
 */
record StandaloneModels(Path target, Path drafter, Path small) {

    private static final Logger LOG = LoggerFactory.getLogger(StandaloneModels.class);

    static StandaloneModels resolve(StandaloneProperties.Models models, boolean withSmall) {
        Path small = null;
        if (withSmall) {
            small = models.small().toAbsolutePath().normalize();
            if (!Files.isRegularFile(small)) {
                throw new IllegalStateException("The cascade's small model " + small + " (speculum.standalone.models.small) "
                        + "is missing; name another, or leave small-drafter-service out of speculum.standalone.services");
            }
        }
        Path target = models.target().toAbsolutePath().normalize();
        if (!Files.isRegularFile(target)) {
            throw new IllegalStateException("Speculum needs the target model " + target + " (a GGUF file). Put it there, or "
                    + "name another with --speculum.standalone.models.target=/path/to/model.gguf (see the README's Models section)");
        }
        if (models.drafter() != null) {
            Path drafter = models.drafter().toAbsolutePath().normalize();
            if (!Files.isRegularFile(drafter)) {
                throw new IllegalStateException("Speculum needs the drafter model " + drafter + " named by "
                        + "speculum.standalone.models.drafter; leave it unset to derive one from the target");
            }
            return new StandaloneModels(target, drafter, small);
        }
        String name = target.getFileName().toString().replaceFirst("\\.gguf$", "") + "-"
                + models.drafterFormat().name().toLowerCase(Locale.ROOT) + ".gguf";
        Path drafter = models.cacheDir().toAbsolutePath().normalize().resolve(name);
        if (!Files.isRegularFile(drafter) || lastModified(drafter) < lastModified(target)) {
            derive(target, drafter, models);
        }
        return new StandaloneModels(target, drafter, small);
    }

    private static void derive(Path target, Path drafter, StandaloneProperties.Models models) {
        try {
            Files.createDirectories(drafter.getParent());
            Path partial = Files.createTempFile(drafter.getParent(), drafter.getFileName().toString(), ".partial");
            DerivedDrafter derived = new DrafterDeriver().derive(new DrafterDerivation(target, partial, models.drafterFormat(), 0));
            Files.move(partial, drafter, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            LOG.info("Derived the drafter {} from {}: {}, {} tensors converted, {} kept as they were", drafter,
                    target.getFileName(), models.drafterFormat(), derived.converted().size(), derived.unchanged().size());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot derive a drafter into " + drafter.getParent() + ": " + e.getMessage(), e);
        }
    }

    private static long lastModified(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }
}
