package org.commvq.cli.eval;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.commvq.model.eval.ValidationSplit;
import picocli.CommandLine.Option;

/** --haystack and --filler: the text a pass key is hidden in. */
public final class HaystackOptions {
    /** The classic pass-key filler, used when no corpus is at hand. */
    static final String FILLER = "The grass is green. The sky is blue. The sun is yellow. Here we go. There and back"
            + " again.\n";
    private static final int FILLER_REPEATS = 400;

    @Option(names = "--haystack", paramLabel = "FILE",
            description = "haystack text (default: the validation split of the corpora in ../shared/corpora, text the"
                    + " model was not trained on; without them the repeated filler)")
    Path file;

    @Option(names = "--filler", description = "use the repeated filler \"The grass is green. The sky is blue. …\"")
    boolean filler;

    LabelledText load() {
        if (file != null && filler) {
            throw new IllegalArgumentException("--haystack and --filler exclude each other");
        }
        if (file != null) {
            return new LabelledText(file.getFileName().toString(), SharedFiles.read(file, "--haystack"));
        }
        if (!filler) {
            List<Path> corpora = SharedFiles.TRAINING_CORPORA.stream().map(SharedFiles::corpus)
                    .flatMap(Optional::stream).toList();
            if (!corpora.isEmpty()) {
                StringBuilder text = new StringBuilder();
                corpora.forEach(p -> text.append(ValidationSplit.extract(SharedFiles.read(p, "--haystack"))));
                List<String> names = corpora.stream().map(p -> p.getFileName().toString()).toList();
                return new LabelledText("validation split of " + names, text.toString());
            }
        }
        return new LabelledText("filler", FILLER.repeat(FILLER_REPEATS));
    }
}
