package org.commvq.cli.eval;

import java.nio.file.Path;
import org.commvq.model.eval.ValidationSplit;
import picocli.CommandLine.Option;

/** --text and --eval-split: the text perplexity is measured on. */
public final class TextOptions {
    @Option(names = "--text", paramLabel = "FILE",
            description = "UTF-8 text to score (default: the validation split of ../shared/corpora/"
                    + SharedFiles.AUSTEN + ")")
    Path text;

    @Option(names = "--eval-split",
            description = "score only tiny-llama-29m's validation split of --text: the file cut into 10 equal parts at"
                    + " line boundaries, the last 2%% of the lines of each part (text the model and codebooks were not"
                    + " trained on)")
    boolean evalSplit;

    LabelledText load() {
        Path file = text;
        boolean split = evalSplit;
        if (file == null) {
            file = SharedFiles.corpus(SharedFiles.AUSTEN).orElseThrow(() -> new IllegalArgumentException(
                    "--text FILE is needed: the default " + SharedFiles.corporaDir().resolve(SharedFiles.AUSTEN)
                            + " is missing"));
            split = true;
        }
        String content = SharedFiles.read(file, "--text");
        return split
                ? new LabelledText(file.getFileName() + " (validation split)", ValidationSplit.extract(content))
                : new LabelledText(file.getFileName().toString(), content);
    }
}
