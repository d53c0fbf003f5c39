package org.commvq.model.tokenizer;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the shared fixtures (system property {@code commvq.shared}, set by surefire); a test that needs an absent
 * one is skipped with the reason printed.
 */
public final class SharedFixtures {
    private SharedFixtures() {
    }

    public static Path require(String relative) {
        String root = System.getProperty("commvq.shared");
        Path path = root == null ? null : Path.of(root).resolve(relative);
        boolean present = path != null && Files.exists(path);
        if (!present) {
            System.out.println("skipped: shared fixture " + relative + " not found (commvq.shared=" + root + ")");
        }
        assumeTrue(present, "shared fixture " + relative + " not found (commvq.shared=" + root + ")");
        return path;
    }

    public static Path tinyModel() {
        return require("models/tiny-llama-29m");
    }
}
