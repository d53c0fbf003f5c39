package org.commvq.cache.fuzz;

/**
 * The normal build replays the fuzz corpora without Jazzer's hooks: the sanitizer and comparison hooks guide and
 * police coverage-guided fuzzing, where they stay on, but loading them costs some fifteen seconds per test JVM and a
 * replay needs none of them. Called from each fuzz class's {@code @BeforeAll}, which runs before Jazzer configures
 * itself from the system properties.
 */
public final class RegressionMode {
    private RegressionMode() {
    }

    public static void withoutHooks() {
        if (System.getenv("JAZZER_FUZZ") == null && System.getProperty("jazzer.hooks") == null) {
            System.setProperty("jazzer.hooks", "false");
        }
    }
}
