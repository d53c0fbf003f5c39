package org.commvq.cli.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.commvq.cli.Main;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The eval commands through the real command line, on the shipped model where the shared files are at hand. */
class EvalCommandTest {
    @TempDir
    Path tmp;

    private record Run(int code, String out, String err) {
    }

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    private static Path tinyModel() {
        Path p = Path.of(System.getProperty("commvq.shared", "../../shared"))
                .resolve("models/tiny-llama-29m/tiny-llama-29m-q8_0.gguf");
        Assumptions.assumeTrue(Files.isRegularFile(p), "no shared model at " + p);
        return p;
    }

    private static void assertOneLineError(Run r, String flag) {
        assertTrue(r.code() != 0, "exit code");
        String err = r.err().strip();
        assertFalse(err.contains("\n"), err);
        assertTrue(err.startsWith("error: ") && err.contains(flag), err);
    }

    @Test
    void memoryTableAndChartNeedNoModel() {
        Path png = tmp.resolve("ctx.png");
        Run r = run("eval", "memory", "--budget", "24GiB", "--shape", "llama-3.1-8b", "--weights", "f16", "--ctx",
                "131072", "--png", png.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("fp16"), r.out());
        assertTrue(r.out().contains("73,994 (72.3K)"), r.out());
        assertTrue(Files.isRegularFile(png));
    }

    @Test
    void perplexityOfAShortTextThroughTheCache() throws IOException {
        Path text = tmp.resolve("t.txt");
        Files.writeString(text, "It is a truth universally acknowledged, that a single man in possession of a good"
                + " fortune, must be in want of a wife.\n".repeat(8));
        Run r = run("eval", "ppl", "-m", tinyModel().toString(), "--kv-cache", "kivi2", "--text", text.toString(),
                "--ctx", "64", "--stride", "32", "--chunk", "4");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("kv cache"), r.out());
        assertTrue(r.out().contains("kivi2"), r.out());
    }

    @Test
    void badFlagsAreOneLineErrorsNamingTheFlag() {
        assertOneLineError(run("eval", "ppl", "-m", tinyModel().toString(), "--ctx", "512", "--stride", "600"),
                "--stride");
        assertOneLineError(run("eval", "niah", "-m", tinyModel().toString(), "--essays", "/no/such/essays.txt"),
                "--essays");
        assertOneLineError(run("eval", "passkey", "-m", tinyModel().toString(), "--lengths", "4096"), "--ctx-size");
        assertOneLineError(run("eval", "memory", "--budget", "lots"), "--budget");
        assertOneLineError(run("eval", "all", "-o", tmp.toString(), "--types", "fp17"), "--types");
        assertOneLineError(run("eval", "ppl", "-m", tinyModel().toString(), "--kv-cache", "vqkv", "--vqkv-window", "0"),
                "--vqkv-window");
    }
}
