package io.speculum.detector.command;

import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The detector-service's offline commands: build its data files and evaluate it. */
@Command(name = "detector-service", mixinStandardHelpOptions = true,
        subcommands = {DatasetCommand.class, ContinuationsCommand.class, ScoresCommand.class, CombineCommand.class, FrequenciesCommand.class, TrainCommand.class, CalibrateCommand.class, EvaluateCommand.class})
public final class DetectorCommands {

    public static final Set<String> NAMES = Set.of("dataset", "continuations", "scores", "combine", "frequencies", "train", "calibrate", "evaluate");

    private DetectorCommands() {
    }

    /** Runs a command line; returns the exit code (0 done, 1 failed, 2 bad usage). */
    public static int run(String... args) {
        return new CommandLine(new DetectorCommands()).execute(args);
    }
}
