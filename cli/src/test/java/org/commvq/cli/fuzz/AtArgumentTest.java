package org.commvq.cli.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.commvq.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Found by the long command-line fuzzing run: an argument "@." made picocli read "." as a file of arguments and print
 * its InitializationException as a stack trace, with exit code 1 and no "error:" line. Arguments starting with "@" are
 * now plain arguments, so a prompt such as "@alice" is never replaced by the contents of a file of that name.
 */
class AtArgumentTest {
    @TempDir
    Path dir;

    @Test
    void unreadableAtFileIsAPlainArgumentWithAOneLineError() {
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"train-codebook", "--method", "@.", "--kv", dir.toString(), "-o",
                dir.resolve("missing").resolve("book.safetensors").toString()}, new PrintWriter(new StringWriter()),
                new PrintWriter(err, true));
        String e = err.toString().strip();
        assertTrue(code == 1 || code == 2, "exit code " + code + ": " + e);
        assertTrue(e.startsWith("error: "), e);
        assertFalse(e.contains("\n") || e.contains("InitializationException"), e);
    }

    @Test
    void atArgumentIsNotReadAsAFile() throws IOException {
        Path args = Files.writeString(dir.resolve("args"), "--version");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"@" + args}, new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(2, code, err.toString());
        assertFalse(out.toString().contains("commvq 0.1.0"), out.toString());
    }
}
