package io.speculum.detector.command;

import io.speculum.detector.data.DetectionDataset;
import io.speculum.detector.data.LabelledText;
import io.speculum.detector.data.LabelledTexts;
import io.speculum.detector.data.Split;
import io.speculum.llama.Model;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dataset}: samples machine texts and cuts human ones, split by corpus block, as labelled JSON lines. */
@Command(name = "dataset", mixinStandardHelpOptions = true,
        description = "Sample continuations of the prompts (T=1) and take human blocks of similar length, split train/calibrate/evaluate.")
public final class DatasetCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--generator", required = true, description = "the model that writes the machine texts")
    Path generator;

    @Option(names = "--data", required = true, description = "the shared data directory (holding tinystories/)")
    Path data;

    @Option(names = "--per-class", defaultValue = "100000", description = "at most this many texts per class and split")
    int perClass;

    @Option(names = "--out", required = true, description = "labelled texts (JSON lines)")
    Path out;

    @Option(names = "--train-corpus", description = "also write the training split's human texts here, for the frequencies command")
    Path trainCorpus;

    @Option(names = "--train-samples-per-prompt", defaultValue = "1",
            description = "continuations sampled per train-split prompt (default ${DEFAULT-VALUE})")
    int trainSamples;

    @Option(names = "--threads", defaultValue = "2")
    int threads;

    @Override
    public Integer call() throws IOException {
        PrintWriter console = spec.commandLine().getOut();
        List<LabelledText> texts;
        try (Model model = Model.load(generator)) {
            texts = DetectionDataset.build(model, DetectionDataset.Source.tinyStories(data, perClass).withTrainSamplesPerPrompt(trainSamples), EnumSet.allOf(Split.class), threads);
        }
        LabelledTexts.write(out, texts);
        for (Split split : Split.values()) {
            console.printf("%-9s machine %4d  human %4d%n", split.name().toLowerCase(),
                    texts.stream().filter(t -> t.split() == split && t.machine()).count(),
                    texts.stream().filter(t -> t.split() == split && !t.machine()).count());
        }
        if (trainCorpus != null) {
            Files.write(trainCorpus, texts.stream().filter(t -> t.split() == Split.TRAIN && !t.machine()).map(LabelledText::text).toList());
            console.printf("wrote the training split's human texts to %s%n", trainCorpus);
        }
        console.printf("wrote %s%n", out);
        return 0;
    }
}
