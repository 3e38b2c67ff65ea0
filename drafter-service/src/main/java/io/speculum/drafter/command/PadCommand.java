package io.speculum.drafter.command;

import io.speculum.llama.CostPadder;
import io.speculum.llama.CostPadding;
import io.speculum.llama.PaddedTarget;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code drafter-service pad}: writes a cost-padded copy of an F32 target (the same function at the cost of a larger
 * model), for measuring speculative decoding with tiny test models; see {@link CostPadder}.
 */
@Command(name = "pad", mixinStandardHelpOptions = true,
        description = "Write a cost-padded copy of an F32 llama GGUF: the same function, the compute cost of a larger model.")
public final class PadCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--source", required = true, description = "the F32 GGUF to pad")
    Path source;

    @Option(names = "--target", required = true, description = "where to write the padded copy (overwritten)")
    Path target;

    @Option(names = "--hidden", defaultValue = "" + CostPadding.HIDDEN_150M,
            description = "padded hidden size (default ${DEFAULT-VALUE}); a power-of-4 multiple of the source's keeps normalisation bitwise")
    int hidden;

    @Option(names = "--ffn", defaultValue = "" + CostPadding.FEED_FORWARD_150M, description = "padded FFN width (default ${DEFAULT-VALUE})")
    int feedForward;

    @Option(names = "--blocks", defaultValue = "" + CostPadding.BLOCKS_150M,
            description = "padded block count (default ${DEFAULT-VALUE}; the defaults give stories260K ~150M parameters)")
    int blocks;

    /** Runs the command line; returns the exit code (0 done, 1 failed, 2 bad usage). */
    public static int run(String... args) {
        return new CommandLine(new PadCommand()).execute(args);
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        CostPadding padding;
        try {
            padding = new CostPadding(source, target, hidden, feedForward, blocks);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PaddedTarget padded = new CostPadder().pad(padding);
        PaddedTarget.Shape from = padded.source();
        PaddedTarget.Shape to = padded.padded();
        out.printf("wrote %s: %,d parameters, %,d bytes; hidden %d -> %d, FFN %d -> %d, blocks %d -> %d, heads %d/%d -> %d/%d%n",
                padded.file(), padded.parameters(), padded.bytes(), from.hiddenSize(), to.hiddenSize(), from.feedForwardSize(),
                to.feedForwardSize(), from.blocks(), to.blocks(), from.heads(), from.kvHeads(), to.heads(), to.kvHeads());
        return 0;
    }
}
