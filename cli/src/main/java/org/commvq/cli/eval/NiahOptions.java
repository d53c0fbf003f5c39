package org.commvq.cli.eval;

import java.nio.file.Path;
import java.util.Optional;
import org.commvq.model.eval.NeedleTask;
import picocli.CommandLine.Option;

/** --essays: the needle-in-a-haystack filler. */
public final class NiahOptions {
    @Option(names = "--essays", paramLabel = "FILE",
            description = "haystack text (default: ../shared/corpora/" + SharedFiles.PAUL_GRAHAM + ")")
    Path essays;

    /** The essays file; an error naming --essays when neither it nor the default exists. */
    Path essays() {
        return essaysIfAny().orElseThrow(() -> new IllegalArgumentException("--essays FILE is needed: the default "
                + SharedFiles.corporaDir().resolve(SharedFiles.PAUL_GRAHAM) + " is missing"));
    }

    /** --essays if given, else the default when it exists. */
    Optional<Path> essaysIfAny() {
        return essays != null ? Optional.of(essays) : SharedFiles.corpus(SharedFiles.PAUL_GRAHAM);
    }

    NeedleTask task() {
        return NeedleTask.birthYears();
    }
}
