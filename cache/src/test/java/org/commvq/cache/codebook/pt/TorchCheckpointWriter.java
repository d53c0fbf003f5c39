package org.commvq.cache.codebook.pt;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes checkpoints in torch.save's zip layout from Java: a pickle built by hand, fp32 storage blobs, a version
 * record. Lets the reader and importer be tested without PyTorch; the PyTorch-made fixtures check the same paths.
 */
final class TorchCheckpointWriter {
    private final Map<String, byte[]> blobs = new LinkedHashMap<>();

    /** Registers an fp32 storage and returns its key. */
    String storage(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        String key = Integer.toString(blobs.size());
        blobs.put(key, b.array());
        return key;
    }

    /** Appends a contiguous fp32 tensor of the given shape to the pickle. */
    PickleBuilder tensor(PickleBuilder p, float[] values, long... shape) {
        long[] stride = new long[shape.length];
        long s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            stride[d] = s;
            s *= shape[d];
        }
        return p.tensor("FloatStorage", storage(values), values.length, 0, shape, stride);
    }

    void write(Path file, String folder, byte[] pickle) throws IOException {
        write(file, folder, pickle, blobs);
    }

    static void write(Path file, String folder, byte[] pickle, Map<String, byte[]> blobs) throws IOException {
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            entry(zip, folder + "/data.pkl", pickle);
            entry(zip, folder + "/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
            for (Map.Entry<String, byte[]> e : blobs.entrySet()) {
                entry(zip, folder + "/data/" + e.getKey(), e.getValue());
            }
            entry(zip, folder + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    private static void entry(ZipOutputStream zip, String name, byte[] data) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(data);
        zip.closeEntry();
    }

    /**
     * An official-format key codebook file: {final_error, steps: [{mse_loss, theta [128, P],
     * clustering_centers [4096, 2P]}]} with centers = T·θ as the official M-step computes them.
     */
    static void writeOfficialKeyFile(Path file, List<float[]> thetas, int pairs, boolean corruptOneCenter)
            throws IOException {
        TorchCheckpointWriter w = new TorchCheckpointWriter();
        PickleBuilder p = new PickleBuilder().proto(2).emptyDict().put(0).mark()
                .string("final_error").binfloat(0.0123)
                .string("steps").emptyList().put(1).mark();
        for (int r = 0; r < thetas.size(); r++) {
            float[] theta = thetas.get(r);
            float[] centers = centers(theta, pairs);
            if (corruptOneCenter && r == thetas.size() - 1) {
                centers[4001 * 2 * pairs + 3] += 0.5f;
            }
            p.emptyDict().mark().string("mse_loss");
            w.tensor(p, new float[] {0.5f / (r + 1)});
            p.string("theta");
            w.tensor(p, theta, 128, pairs);
            p.string("clustering_centers");
            w.tensor(p, centers, 4096, 2L * pairs);
            p.setitems();
        }
        p.op('e').setitems().stop();
        w.write(file, file.getFileName().toString().replace(".pt", ""), p.bytes());
    }

    /** (T·θ) viewed as [4096][2][P], permuted to [4096][P][2]: the official clustering centers. */
    static float[] centers(float[] theta, int pairs) {
        float[] c = new float[4096 * 2 * pairs];
        for (int a = 0; a < 64; a++) {
            for (int b = 0; b < 64; b++) {
                int row = (64 * a + b) * 2 * pairs;
                for (int p = 0; p < pairs; p++) {
                    c[row + 2 * p] = theta[2 * a * pairs + p] - theta[(2 * b + 1) * pairs + p];
                    c[row + 2 * p + 1] = theta[2 * b * pairs + p] + theta[(2 * a + 1) * pairs + p];
                }
            }
        }
        return c;
    }

    static List<float[]> randomThetas(Random rnd, int stages, int pairs) {
        List<float[]> thetas = new ArrayList<>();
        for (int r = 0; r < stages; r++) {
            float[] t = new float[128 * pairs];
            for (int i = 0; i < t.length; i++) {
                t[i] = (float) (rnd.nextGaussian() * 0.1 / (r + 1));
            }
            thetas.add(t);
        }
        return thetas;
    }
}
