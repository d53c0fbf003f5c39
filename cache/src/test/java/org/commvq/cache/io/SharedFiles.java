package org.commvq.cache.io;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the shared test fixtures (system property {@code commvq.shared}); tests skip with the reason when absent. */
final class SharedFiles {
    private SharedFiles() {
    }

    static Path require(String relative) {
        String root = System.getProperty("commvq.shared");
        Path file = root == null ? null : Path.of(root).resolve(relative);
        boolean present = file != null && Files.isRegularFile(file);
        if (!present) {
            System.out.println("skipped: shared fixture " + relative + " not found (commvq.shared=" + root + ")");
        }
        assumeTrue(present, "shared fixture " + relative + " not found (commvq.shared=" + root + ")");
        return file;
    }
}
