package org.commvq.tests;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The team's shared fixtures (../shared beside the repository): the tiny model in three forms and the golden outputs
 * of the Hugging Face reference. Tests that need them skip, with the reason printed, where the folder is absent.
 */
final class SharedFixtures {
    private static JsonNode golden;

    private SharedFixtures() {
    }

    static Path shared() {
        String p = System.getProperty("commvq.shared", "../shared");
        Path dir = Path.of(p).toAbsolutePath().normalize();
        boolean present = Files.isDirectory(dir.resolve("models/tiny-llama-29m"));
        if (!present) {
            System.out.println("[skip] shared fixtures not found at " + dir + " (set -Dcommvq.shared=DIR)");
        }
        assumeTrue(present, "shared fixtures not found at " + dir);
        return dir;
    }

    static Path tinyModel(String file) {
        return shared().resolve("models/tiny-llama-29m").resolve(file);
    }

    static synchronized JsonNode golden() {
        if (golden == null) {
            try {
                golden = new ObjectMapper().readTree(tinyModel("golden.json").toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return golden;
    }

    static int[] ints(JsonNode array) {
        int[] a = new int[array.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = array.get(i).asInt();
        }
        return a;
    }

    static float[] floats(JsonNode array) {
        float[] a = new float[array.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) array.get(i).asDouble();
        }
        return a;
    }
}
