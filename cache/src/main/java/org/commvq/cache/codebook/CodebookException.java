package org.commvq.cache.codebook;

import java.nio.file.Path;

/**
 * A codebook or checkpoint file that cannot be used as asked. The message is one line, "file: problem", so the CLI
 * can print it as it is.
 */
public class CodebookException extends RuntimeException {
    private final transient Path file;
    private final String problem;

    public CodebookException(Path file, String problem) {
        super(name(file) + ": " + problem);
        this.file = file;
        this.problem = problem;
    }

    public CodebookException(Path file, String problem, Throwable cause) {
        super(name(file) + ": " + problem, cause);
        this.file = file;
        this.problem = problem;
    }

    private static String name(Path file) {
        return file == null ? "codebook" : file.toString();
    }

    /** The file, or null for a header that was never read from one. */
    public Path file() {
        return file;
    }

    /** The message without the file name. */
    public String problem() {
        return problem;
    }
}
