package org.commvq.cache.io;

import java.nio.file.Path;

/**
 * A tensor file (safetensors) that cannot be read or written as asked. The message is one line naming the file and
 * what was expected, so callers can print it as it is.
 */
public class TensorFileException extends RuntimeException {
    private final transient Path file;
    private final String problem;

    public TensorFileException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
        this.problem = problem;
    }

    public TensorFileException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
        this.problem = problem;
    }

    public Path file() {
        return file;
    }

    /** The message without the file name, for callers that rethrow under their own exception type. */
    public String problem() {
        return problem;
    }
}
