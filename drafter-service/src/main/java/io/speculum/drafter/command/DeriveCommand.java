package io.speculum.drafter.command;

import io.speculum.llama.DerivedDrafter;
import io.speculum.llama.DrafterDerivation;
import io.speculum.llama.DrafterDeriver;
import io.speculum.llama.Model;
import io.speculum.llama.WeightFormat;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code drafter-service derive}: writes a drafter from the verifier's own GGUF (quantised and/or its first N blocks),
 * which shares the verifier's vocabulary by construction, and checks that it loads with the same fingerprint.
 */
@Command(name = "derive", mixinStandardHelpOptions = true,
        description = "Write a drafter derived from a verifier's GGUF: quantised (Q8_0, Q4_0, F16) and/or keeping its first N blocks.")
public final class DeriveCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--source", required = true, description = "the verifier's GGUF file")
    Path source;

    @Option(names = "--target", required = true, description = "where to write the drafter (overwritten)")
    Path target;

    @Option(names = "--format", defaultValue = "KEEP",
            description = "weight format: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}); rows that are not a multiple of the block size stay as they are")
    WeightFormat format;

    @Option(names = "--keep-blocks", defaultValue = "0", description = "keep only the first N transformer blocks (0: all)")
    int keepBlocks;

    /** Runs the command line; returns the exit code (0 done, 1 failed, 2 bad usage). */
    public static int run(String... args) {
        return new CommandLine(new DeriveCommand()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        DrafterDerivation derivation;
        try {
            derivation = new DrafterDerivation(source, target, format, keepBlocks);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        DerivedDrafter drafter = new DrafterDeriver().derive(derivation);
        try (Model original = Model.load(source); Model derived = Model.load(drafter.file())) {
            boolean same = original.vocabulary().fingerprint().matches(derived.vocabulary().fingerprint());
            out.printf("wrote %s: %d of %d blocks, %s, %d bytes (%d tensors converted, %d kept as they were)%n",
                    drafter.file(), drafter.blocks(), drafter.sourceBlocks(), drafter.format(), drafter.bytes(),
                    drafter.converted().size(), drafter.unchanged().size());
            out.printf("vocabulary %s: %s%n", derived.vocabulary().fingerprint(), same ? "same as the source" : "DIFFERS from the source");
            return same ? 0 : 1;
        }
    }
}
