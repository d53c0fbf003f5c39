package org.commvq.tests.fuzz;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.commvq.cli.Main;

/** The model shipped in the repository's models folder, and the CLI run on it in this JVM. */
final class ShippedModel {
    static final String FILE = "models/tiny-llama-29m-q8_0.gguf";

    private ShippedModel() {
    }

    static Path path() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(FILE))) {
                return dir.resolve(FILE);
            }
        }
        assumeTrue(false, FILE + " not found above " + Path.of("").toAbsolutePath());
        return null;
    }

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }
}
