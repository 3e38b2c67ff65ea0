package io.speculum.detector.command;

import io.speculum.detector.data.Decoding;
import io.speculum.detector.data.LabelledText;
import io.speculum.detector.data.LabelledTexts;
import io.speculum.detector.data.Split;
import io.speculum.detector.data.Stories;
import io.speculum.detector.data.UseCaseDataset;
import io.speculum.llama.Model;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code continuations}: the evaluation that resembles use ({@link UseCaseDataset}): human windows of val-a.txt and,
 * per generator and decoding, continuations of story openings, cut to each length, split by shelf of stories.
 */
@Command(name = "continuations", mixinStandardHelpOptions = true,
        description = "Continue human story openings with each generator and decoding; cut them and human windows to each length.")
public final class ContinuationsCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--generator", required = true, description = "a model that writes machine texts (repeatable; the first one's vocabulary measures lengths)")
    List<Path> generators;

    @Option(names = "--data", required = true, description = "the shared data directory (holding tinystories/val-a.txt)")
    Path data;

    @Option(names = "--decoding", description = "decodings (default: all of ${COMPLETION-CANDIDATES})", completionCandidates = DecodingNames.class)
    List<String> decodings;

    @Option(names = "--length", split = ",", description = "lengths in tokens (default 64,128,256)")
    List<Integer> lengths;

    @Option(names = "--split", split = ",", description = "splits to write (default all)")
    List<Split> splits;

    @Option(names = "--openings-per-split", defaultValue = "160", description = "story openings continued per split (default ${DEFAULT-VALUE})")
    int openingsPerSplit;

    @Option(names = "--humans-per-length", defaultValue = "0",
            description = "keep at most this many human windows per length and split, evenly spread (0: all)")
    int humansPerLength;

    @Option(names = "--seed", defaultValue = "20261206")
    long seed;

    @Option(names = "--out", required = true, description = "labelled texts (JSON lines)")
    Path out;

    @Option(names = "--threads", defaultValue = "2")
    int threads;

    static final class DecodingNames extends ArrayList<String> {
        DecodingNames() {
            super(Decoding.SETTINGS.stream().map(Decoding::name).toList());
        }
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter console = spec.commandLine().getOut();
        UseCaseDataset.Plan plan = new UseCaseDataset.Plan(splits == null ? List.of(Split.values()) : splits,
                decodings == null ? Decoding.SETTINGS : decodings.stream().map(Decoding::named).toList(),
                lengths == null ? UseCaseDataset.LENGTHS : lengths, openingsPerSplit, seed);
        List<Stories.Story> stories = Stories.of(Files.readString(data.resolve("tinystories/val-a.txt")));
        List<LabelledText> texts = new ArrayList<>();
        try (Model lengthModel = Model.load(generators.getFirst())) {
            texts.addAll(UseCaseDataset.spread(UseCaseDataset.human(stories, lengthModel.vocabulary(), plan), humansPerLength));
            for (Path generator : generators) {
                long start = System.nanoTime();
                try (Model model = generator.equals(generators.getFirst()) ? null : Model.load(generator)) {
                    Model writer = model == null ? lengthModel : model;
                    texts.addAll(UseCaseDataset.machine(stories, lengthModel.vocabulary(), writer, ObserverOptions.name(generator), plan, threads));
                }
                console.printf("%s: generated in %.0f s%n", ObserverOptions.name(generator), (System.nanoTime() - start) / 1e9);
            }
        }
        LabelledTexts.write(out, texts);
        TreeMap<String, Integer> counts = new TreeMap<>();
        for (LabelledText t : texts) {
            counts.merge(t.split().name().toLowerCase() + " " + (t.machine() ? t.setting() : "human") + " " + t.length(), 1, Integer::sum);
        }
        counts.forEach((k, v) -> console.printf("%-48s %5d%n", k, v));
        console.printf("%d stories; wrote %d texts to %s%n", stories.size(), texts.size(), out);
        return 0;
    }
}
