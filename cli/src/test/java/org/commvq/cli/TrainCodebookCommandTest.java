package org.commvq.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.commvq.cache.codebook.ModelFingerprint;
import org.commvq.cache.train.KvCollection;
import org.commvq.cache.train.KvManifest;
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

    /**
     * Without --value-loss, a collection from an older collect-kv (no queries) trains values with the MSE loss and
     * says so; asking it for the attention loss is a one-line error.
     */
    @Test
    void anOldCollectionTrainsWithTheMseLossAndSaysSo() throws Exception {
        Path kv = collection(false);
        StringWriter err = new StringWriter();
        Path file = dir.resolve("mse.safetensors");
        assertEquals(0, train(kv, file, err));
        assertTrue(err.toString().contains("has no queries"), err.toString());
        String header = Files.readString(file, StandardCharsets.ISO_8859_1);
        assertTrue(header.contains("0.5*mse(v_hat, v)") && !header.contains("A*v_hat"));

        err = new StringWriter();
        assertEquals(1, train(kv, dir.resolve("x.safetensors"), err, "--value-loss", "attention"));
        assertTrue(err.toString().contains("--value-loss mse"), err.toString());
        assertEquals(1, err.toString().strip().split("\n").length, err.toString());
    }

    /** A collection with queries and W_o trains with the attention-output loss by default. */
    @Test
    void aCollectionWithQueriesTrainsWithTheAttentionLossByDefault() throws Exception {
        Path kv = collection(true);
        StringWriter err = new StringWriter();
        Path file = dir.resolve("attention.safetensors");
        assertEquals(0, train(kv, file, err, "--value-window", "8"), err.toString());
        String header = Files.readString(file, StandardCharsets.ISO_8859_1);
        assertTrue(header.contains("mse((A*v_hat - A*v)*W_o^T)"), "provenance names the attention loss");
        assertTrue(header.contains("value_window"), "provenance names the window");
    }

    private static int train(Path kv, Path output, StringWriter err, String... more) {
        List<String> args = new ArrayList<>(List.of("train-codebook", "--method", "commvq", "--bits", "1",
                "--stages", "1", "--iterations", "1", "--value-hidden", "4", "--value-epochs", "1", "--value-batch",
                "16", "--threads", "1", "--kv", kv.toString(), "-o", output.toString()));
        args.addAll(List.of(more));
        return Main.run(args.toArray(String[]::new), new PrintWriter(new StringWriter()), new PrintWriter(err, true));
    }

    /** A one-layer collection of random activations: 4 sequences of 16 tokens, 2 query heads on 1 KV head. */
    private Path collection(boolean queries) {
        Path out = dir.resolve(queries ? "kv-q" : "kv");
        KvManifest m = new KvManifest(new ModelFingerprint(1, 2, 1, 16, 10000, 1, 1, 4, 8192, "ab12"), "m.gguf",
                List.of("t.txt"), "all", 16, 4, 4, 1, 1, 16, queries);
        KvCollection kv = KvCollection.create(out, m);
        SplittableRandom rnd = new SplittableRandom(5);
        float[][] keys = {random(64 * 16, rnd)};
        float[][] values = {random(64 * 16, rnd)};
        kv.writeChunk(0, keys, values, queries ? new float[][] {random(64 * 32, rnd)} : null, new int[64]);
        if (queries) {
            kv.writeAttentionOutput(new float[][] {random(24 * 32, rnd)}, 24);
        }
        return out;
    }

    private static float[] random(int n, SplittableRandom rnd) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (2 * rnd.nextDouble() - 1);
        }
        return out;
    }
}
