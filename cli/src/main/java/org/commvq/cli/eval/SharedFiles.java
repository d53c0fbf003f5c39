package org.commvq.cli.eval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The team's shared corpora ({@code ../shared/corpora} beside the install folder the launcher names, or beside the
 * working directory), used as default texts when no file is given.
 */
final class SharedFiles {
    static final String AUSTEN = "austen.txt";
    static final String PAUL_GRAHAM = "paul_graham_essays.txt";
    /** The corpora tiny-llama-29m's validation split was held out of. */
    static final List<String> TRAINING_CORPORA = List.of(AUSTEN, "brown.txt", PAUL_GRAHAM);

    private SharedFiles() {
    }

    static Path corporaDir() {
        String home = System.getProperty("commvq.home");
        Path base = home != null ? Path.of(home) : Path.of("");
        return base.toAbsolutePath().resolve("../shared/corpora").normalize();
    }

    static Optional<Path> corpus(String name) {
        Path p = corporaDir().resolve(name);
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }

    /** The file's text; errors name the flag it came from. */
    static String read(Path file, String flag) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(flag + " " + file + ": no such file");
        }
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | UncheckedIOException e) {
            throw new IllegalArgumentException(flag + " " + file + ": cannot read it as UTF-8 text (" + e.getMessage()
                    + ")");
        }
    }
}
