package org.commvq.model.gguf;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.commvq.model.ModelFormatException;
import org.junit.jupiter.api.function.Executable;

/** Asserts a ModelFormatException whose one-line message names the file and contains the given phrases. */
final class ModelFormatExceptionAssert {
    private ModelFormatExceptionAssert() {
    }

    static void assertMessage(Executable action, Path file, String... phrases) {
        ModelFormatException e = assertThrows(ModelFormatException.class, action);
        String message = e.getMessage();
        assertTrue(message.startsWith(file + ": "), "message must name the file: " + message);
        assertTrue(!message.contains("\n"), "message must be one line: " + message);
        for (String phrase : phrases) {
            assertTrue(message.contains(phrase), "expected '" + phrase + "' in: " + message);
        }
    }
}
