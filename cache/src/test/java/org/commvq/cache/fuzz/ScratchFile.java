package org.commvq.cache.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The one file a path-based reader is fuzzed through, rewritten for every input; in memory where /dev/shm is. */
public final class ScratchFile {
    private ScratchFile() {
    }

    public static Path create(String suffix) {
        try {
            Path shm = Path.of("/dev/shm");
            Path f = Files.isDirectory(shm) && Files.isWritable(shm)
                    ? Files.createTempFile(shm, "commvq-fuzz-", suffix)
                    : Files.createTempFile("commvq-fuzz-", suffix);
            f.toFile().deleteOnExit();
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path write(Path file, byte[] data) {
        try {
            return Files.write(file, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
