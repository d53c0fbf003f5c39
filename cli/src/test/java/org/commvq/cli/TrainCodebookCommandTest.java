package org.commvq.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCodebookCommandTest {
    @TempDir
    Path dir;

    @Test
    void stageSpecsExpandToSizes() {
        assertArrayEquals(new int[] {16, 16, 16}, TrainCodebookCommand.stageSizes("--vqkv-keys", "3x16"));
        assertArrayEquals(new int[] {256, 64, 64}, TrainCodebookCommand.stageSizes("--vqkv-keys", "1x256, 2x64"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TrainCodebookCommand.stageSizes("--vqkv-values", "16*512"));
        assertTrue(e.getMessage().startsWith("--vqkv-values '16*512'"), e.getMessage());
    }

    @Test
    void aFolderWithoutManifestIsOneLine() {
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"train-codebook", "--method", "commvq", "--bits", "2", "--kv",
            dir.toString(), "-o", dir.resolve("x.safetensors").toString()}, new PrintWriter(new StringWriter()),
                new PrintWriter(err, true));
        assertEquals(1, code);
        assertTrue(err.toString().contains("is not a KV collection"), err.toString());
        assertEquals(1, err.toString().strip().split("\n").length, err.toString());
    }
}
