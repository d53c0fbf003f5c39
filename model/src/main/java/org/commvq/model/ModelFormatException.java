package org.commvq.model;

import java.nio.file.Path;

/**
 * A model file or directory that cannot be used as given. The message is one line that names the file and says what
 * was expected, so the CLI prints it as it is, without a stack trace.
 */
public class ModelFormatException extends RuntimeException {
    public ModelFormatException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public ModelFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
