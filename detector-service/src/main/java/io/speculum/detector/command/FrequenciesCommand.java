package io.speculum.detector.command;

import io.speculum.detector.DetectorFiles;
import io.speculum.detector.scoring.TokenFrequencies;
import io.speculum.llama.LlamaException;
import io.speculum.llama.Model;
import io.speculum.llama.ModelOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code frequencies}: the DC-PDD token frequency table of a text file, tokenised by the observer. */
@Command(name = "frequencies", mixinStandardHelpOptions = true,
        description = "Count the observer's tokens in a reference text file (one text per line or per paragraph) for dc-pdd.")
public final class FrequenciesCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--observer", required = true, description = "the observer whose tokenizer counts (vocabulary only is loaded)")
    Path observer;

    @Option(names = "--text", required = true, description = "the reference corpus, plain UTF-8 text")
    Path text;

    @Option(names = "--out", required = true, description = "where to write the table (JSON)")
    Path out;

    @Override
    public Integer call() throws IOException {
        try (Model vocabularyOnly = Model.load(ModelOptions.vocabularyOnly(observer))) {
            List<int[]> tokenised = new ArrayList<>();
            int unspellable = 0;
            for (String line : Files.readAllLines(text)) {
                if (!line.isBlank()) {
                    try {
                        tokenised.add(vocabularyOnly.vocabulary().tokenize(line.strip()));
                    } catch (LlamaException e) {
                        unspellable++; // a character this vocabulary cannot spell (no byte fallback)
                    }
                }
            }
            if (unspellable > 0) {
                spec.commandLine().getOut().printf("left out %d lines this vocabulary cannot spell%n", unspellable);
            }
            TokenFrequencies table = TokenFrequencies.count(vocabularyOnly.vocabulary().fingerprint().value(),
                    text.getFileName().toString(), vocabularyOnly.vocabulary().size(), tokenised);
            DetectorFiles.write(out, table);
            spec.commandLine().getOut().printf("counted %d tokens of %d lines into %s%n", table.total(), tokenised.size(), out);
        }
        return 0;
    }
}
