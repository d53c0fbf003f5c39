package org.commvq.cache.codebook.pt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.commvq.cache.ModelShape;
import org.commvq.cache.RopeParameters;
import org.commvq.cache.codebook.CodebookException;
import org.commvq.cache.io.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OfficialCommVqImporterTest {
    private static final int PAIRS = 4;

    @TempDir
    Path dir;

    static ModelShape shape(int layers, int kvHeads, int headDim) {
        return new ModelShape(layers, 2 * kvHeads * headDim, 2 * kvHeads, kvHeads, headDim, 64, 100, 1024, 1e-5f,
                RopeParameters.plain(500000));
    }

    @Test
    void importsEveryLayerAndHeadIntoTheThetaLayout() throws IOException {
        Random rnd = new Random(1);
        List<float[]>[][] thetas = writeFolder(rnd, 2, 3, 2);
        OfficialKeyCodebooks k = OfficialCommVqImporter.importKeys(dir, shape(2, 3, 2 * PAIRS));
        assertEquals(2, k.layers());
        assertEquals(3, k.kvHeads());
        assertEquals(2, k.stages());
        assertEquals(PAIRS, k.pairs());
        assertEquals(2 * 3 * 2 * PAIRS * 64 * 2, k.theta().length);
        for (int l = 0; l < 2; l++) {
            for (int h = 0; h < 3; h++) {
                assertEquals(0.0123, k.finalErrors()[l][h]);
                for (int r = 0; r < 2; r++) {
                    float[] file = thetas[l][h].get(r);
                    for (int p = 0; p < PAIRS; p++) {
                        for (int j = 0; j < 64; j++) {
                            assertEquals(file[2 * j * PAIRS + p], k.theta()[k.index(l, h, r, p, j, 0)], "x");
                            assertEquals(file[(2 * j + 1) * PAIRS + p], k.theta()[k.index(l, h, r, p, j, 1)], "y");
                        }
                    }
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private List<float[]>[][] writeFolder(Random rnd, int layers, int heads, int stages) throws IOException {
        List<float[]>[][] thetas = new List[layers][heads];
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                thetas[l][h] = TorchCheckpointWriter.randomThetas(rnd, stages, PAIRS);
                TorchCheckpointWriter.writeOfficialKeyFile(dir.resolve(String.format("%03d_%d.pt", l, h)),
                        thetas[l][h], PAIRS, false);
            }
        }
        return thetas;
    }

    @Test
    void oneFileGivesThetaLossesAndTheCodewordIdentity() throws IOException {
        Random rnd = new Random(2);
        List<float[]> thetas = TorchCheckpointWriter.randomThetas(rnd, 3, PAIRS);
        Path file = dir.resolve("007_5.pt");
        TorchCheckpointWriter.writeOfficialKeyFile(file, thetas, PAIRS, false);
        OfficialKeyCodebook k = OfficialCommVqImporter.readKeyFile(file);
        assertEquals(3, k.stages());
        assertArrayEquals(new double[] {0.5, 0.25, 0.5 / 3}, k.stageLoss(), 1e-7);
        for (int r = 0; r < 3; r++) {
            float[] centers = TorchCheckpointWriter.centers(thetas.get(r), PAIRS);
            for (int c = 0; c < 4096; c += 97) {
                int a = c / 64;
                int b = c % 64;
                for (int p = 0; p < PAIRS; p++) {
                    int base = (r * PAIRS + p) * 64;
                    float xa = k.theta()[(base + a) * 2];
                    float ya = k.theta()[(base + a) * 2 + 1];
                    float xb = k.theta()[(base + b) * 2];
                    float yb = k.theta()[(base + b) * 2 + 1];
                    assertEquals(centers[c * 2 * PAIRS + 2 * p], xa - yb, 0f, "w_p = z_A + i·z_B, real part");
                    assertEquals(centers[c * 2 * PAIRS + 2 * p + 1], ya + xb, 0f, "imaginary part");
                }
            }
        }
    }

    @Test
    void refusesCentersThatAreNotTheCommutativeCodewordsOfTheta() throws IOException {
        Path file = dir.resolve("000_0.pt");
        TorchCheckpointWriter.writeOfficialKeyFile(file, TorchCheckpointWriter.randomThetas(new Random(3), 2, PAIRS),
                PAIRS, true);
        CodebookException e = assertThrows(CodebookException.class, () -> OfficialCommVqImporter.readKeyFile(file));
        assertTrue(e.getMessage().startsWith(file + ": steps[1].clustering_centers[4001][3] = "), e.getMessage());
        assertTrue(e.getMessage().contains("spec oracle 3"), e.getMessage());
    }

    @Test
    void refusesAFolderThatDoesNotFitTheModel() throws IOException {
        writeFolder(new Random(4), 2, 2, 1);
        CodebookException e = assertThrows(CodebookException.class,
                () -> OfficialCommVqImporter.importKeys(dir, shape(3, 2, 2 * PAIRS)));
        assertEquals(dir + ": missing 002_0.pt (this model has 3 layers × 2 KV heads)", e.getMessage());
        e = assertThrows(CodebookException.class, () -> OfficialCommVqImporter.importKeys(dir, shape(2, 1, 2 * PAIRS)));
        assertEquals(dir + ": 000_1.pt is beyond this model's 2 layers × 1 KV heads", e.getMessage());
        e = assertThrows(CodebookException.class, () -> OfficialCommVqImporter.importKeys(dir, shape(2, 2, 128)));
        assertEquals(dir.resolve("000_0.pt") + ": theta has 4 pairs, this model has head_dim 128 (64 pairs)",
                e.getMessage());
    }

    @Test
    void importsValueCompressorsFromShardedSafetensors() {
        ModelShape s = shape(2, 1, 8);
        int f = 8;
        int groups = 4;
        int hidden = 16;
        Random rnd = new Random(5);
        float[][][] tensors = new float[2][8][];
        String[] names = {"embedding", "norm1.weight", "norm1.bias", "enc1.weight", "enc1.bias", "out.weight",
                "out.bias", "learnable_scale"};
        long[][] shapes = {{2 * groups, f}, {f}, {f}, {hidden, f}, {hidden}, {4 * groups, hidden}, {4 * groups}, {f}};
        for (int l = 0; l < 2; l++) {
            SafetensorsWriter shard = new SafetensorsWriter();
            for (int i = 0; i < names.length; i++) {
                long n = 1;
                for (long d : shapes[i]) {
                    n *= d;
                }
                tensors[l][i] = new float[(int) n];
                for (int k = 0; k < n; k++) {
                    tensors[l][i][k] = (float) rnd.nextGaussian();
                }
                shard.f32(OfficialCommVqImporter.valuePrefix(l) + names[i], tensors[l][i], shapes[i]);
            }
            shard.f32("model.layers." + l + ".self_attn.q_proj.weight", new float[4], 2, 2);
            shard.write(dir.resolve(String.format("model-%05d-of-00002.safetensors", l + 1)));
        }
        List<OfficialValueCompressor> values = OfficialCommVqImporter.importValues(dir, s);
        assertEquals(2, values.size());
        for (int l = 0; l < 2; l++) {
            OfficialValueCompressor v = values.get(l);
            assertEquals(l, v.layer());
            assertEquals(1, v.bits());
            assertEquals(hidden, v.hiddenDim());
            assertEquals(groups, v.codeGroups());
            float[][] got = {v.embedding(), v.norm1Weight(), v.norm1Bias(), v.enc1Weight(), v.enc1Bias(),
                    v.outWeight(), v.outBias(), v.learnableScale()};
            for (int i = 0; i < names.length; i++) {
                assertArrayEquals(tensors[l][i], got[i], names[i]);
            }
        }
        CodebookException e = assertThrows(CodebookException.class,
                () -> OfficialCommVqImporter.importValues(dir, shape(3, 1, 8)));
        assertEquals(dir + ": no value compressor for layer 2 (tensor "
                + "'model.layers.2.self_attn.value_vq_model.embedding' is missing)", e.getMessage());
        e = assertThrows(CodebookException.class, () -> OfficialCommVqImporter.importValues(dir, shape(2, 2, 8)));
        assertTrue(e.getMessage().contains("expected [F·bits, F] with F = 16"), e.getMessage());
    }

    @Test
    void refusesAFolderWithoutSafetensors() throws IOException {
        Files.createDirectories(dir.resolve("empty"));
        CodebookException e = assertThrows(CodebookException.class,
                () -> OfficialCommVqImporter.importValues(dir.resolve("empty"), shape(1, 1, 8)));
        assertEquals(dir.resolve("empty") + ": no .safetensors files in the folder", e.getMessage());
    }
}
