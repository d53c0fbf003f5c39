package org.commvq.cli.eval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** --codebook-dir: one codebook file per cache type that needs one, named {@code <type>.safetensors}. */
public final class CodebookDirOption {
    @Option(names = "--codebook-dir", paramLabel = "DIR",
            description = "codebooks for the types that need one, as DIR/<type>.safetensors (types without one are"
                    + " skipped)")
    Path dir;

    /** The type's codebook file, or null when there is none. */
    Path codebook(String type) {
        if (dir == null) {
            return null;
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--codebook-dir " + dir + ": no such directory");
        }
        Path file = dir.resolve(type + ".safetensors");
        return Files.isRegularFile(file) ? file : null;
    }

    /** Bytes of the type's codebook file, 0 when there is none. */
    long bytes(String type) {
        Path file = codebook(type);
        try {
            return file == null ? 0 : Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }
}
