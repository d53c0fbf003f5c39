package org.commvq.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.commvq.cli.Main;
import org.commvq.model.gguf.GgmlType;
import org.commvq.model.gguf.GgufFile;
import org.commvq.model.gguf.GgufTensor;
import org.commvq.model.gguf.GgufWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input through the real command line: each case ends with one line on stderr that names the file or flag and
 * what was expected, a non-zero exit, and no stack trace.
 */
class CliBadInputTest {
    @TempDir
    Path tmp;

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    private static void assertOneLineError(Run r, String... mustContain) {
        assertNotEquals(0, r.code(), "exit code");
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line expected, got:\n" + err);
        assertTrue(err.startsWith("error: "), err);
        assertFalse(err.contains("Exception") || err.contains("\tat "), "no stack trace: " + err);
        for (String s : mustContain) {
            assertTrue(err.contains(s), "'" + s + "' missing from: " + err);
        }
    }

    private static Path q8() {
        return SharedFixtures.tinyModel("tiny-llama-29m-q8_0.gguf");
    }

    @Test
    void missingModelPath() {
        assertOneLineError(run("generate", "-m", "/no/such/model.gguf", "-p", "x"), "/no/such/model.gguf",
                "no such file");
    }

    @Test
    void wrongMagic() throws IOException {
        Path f = tmp.resolve("notgguf.gguf");
        Files.write(f, "this is not a gguf file at all, just text".getBytes());
        assertOneLineError(run("info", "-m", f.toString()), f.toString(), "magic");
    }

    @Test
    void truncatedHeaderAndTruncatedData() throws IOException {
        byte[] all = Files.readAllBytes(q8());
        Path header = tmp.resolve("header.gguf");
        Files.write(header, Arrays.copyOf(all, 1000));
        assertOneLineError(run("info", "-m", header.toString()), header.toString());
        Path data = tmp.resolve("data.gguf");
        Files.write(data, Arrays.copyOf(all, all.length - 4096));
        assertOneLineError(run("generate", "-m", data.toString(), "-p", "x"), data.toString());
    }

    @Test
    void missingRequiredMetadataKey() throws IOException {
        Path f = tmp.resolve("nokey.gguf");
        new GgufWriter().putString("general.architecture", "llama").write(f);
        assertOneLineError(run("info", "-m", f.toString()), f.toString(), "llama.");
    }

    @Test
    void inconsistentTensorShape() throws IOException {
        Path f = tmp.resolve("badshape.gguf");
        try (GgufFile src = GgufFile.open(q8())) {
            GgufWriter w = new GgufWriter().putAll(src.metadata());
            for (GgufTensor t : src.tensors()) {
                if (t.name().equals("blk.0.attn_k.weight")) {
                    long half = t.byteSize() / 2;
                    MemorySegment bytes = t.data().asSlice(0, half);
                    w.addRawTensor(t.name(), t.type(), new long[] {t.dims()[0], t.dims()[1] / 2}, bytes);
                } else {
                    w.addRawTensor(t.name(), t.type(), t.dims(), t.data());
                }
            }
            w.write(f);
        }
        assertOneLineError(run("info", "-m", f.toString()), f.toString(), "blk.0.attn_k", "expected");
    }

    @Test
    void unsupportedTensorType() throws IOException {
        Path f = tmp.resolve("f64.gguf");
        GgufWriter w = new GgufWriter().putString("general.architecture", "llama");
        w.addTensor("token_embd.weight", GgmlType.F32, new long[] {32, 2}, new float[64]);
        w.write(f);
        byte[] bytes = Files.readAllBytes(f);
        int at = indexOf(bytes, "token_embd.weight".getBytes()) + "token_embd.weight".length() + 4 + 2 * 8;
        bytes[at] = 12;
        Files.write(f, bytes);
        assertOneLineError(run("info", "-m", f.toString()), f.toString(), "Q4_K");
    }

    @Test
    void huggingFaceDirectoryWithoutConfig() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("hf"));
        Files.writeString(dir.resolve("tokenizer.json"), "{}");
        assertOneLineError(run("info", "-m", dir.toString()), "config.json");
    }

    @Test
    void promptLongerThanContext() {
        assertOneLineError(run("generate", "-m", q8().toString(), "--ctx-size", "8", "-p",
                "a prompt that is certainly longer than eight tokens of context"), "--ctx-size 8");
    }

    @Test
    void badFlags() {
        assertOneLineError(run("generate", "-m", q8().toString(), "--kv-cache", "zip9"), "--kv-cache", "zip9");
        assertOneLineError(run("generate", "-m", q8().toString(), "--top-p", "1.5"), "--top-p");
        assertOneLineError(run("generate", "--no-such-flag"), "--no-such-flag");
        assertOneLineError(run("generate", "-m", q8().toString(), "--ctx-size", "0"), "--ctx-size");
        assertOneLineError(run("generate", "-m", q8().toString(), "--threads", "0"), "--threads");
    }

    @Test
    void generateWorksAndReportsSpeed() {
        Run r = run("generate", "-m", q8().toString(), "-p", "It is a truth", "-n", "8", "--temperature", "0");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("It is a truth"), r.out());
        assertTrue(r.err().contains("tokens/s"), r.err());
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
