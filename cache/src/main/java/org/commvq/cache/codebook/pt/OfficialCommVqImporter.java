package org.commvq.cache.codebook.pt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.commvq.cache.ModelShape;
import org.commvq.cache.Workers;
import org.commvq.cache.codebook.CodebookException;

/**
 * Imports the released CommVQ artifacts into plain arrays: the key codebooks ({@code LLL_H.pt}, one per layer and KV
 * head, written by the official EM trainer, spec §1.4) and the value compressors (tensors
 * {@code model.layers.L.self_attn.value_vq_model.*} of the released safetensors checkpoint, spec §1.8).
 *
 * <p>A key file holds, per stage, both θ and the 4096 centers the trainer derived from it. Every center is checked
 * against θ (spec oracle 3: center c = 64A + B has [2p] = x_{p,A} − y_{p,B} and [2p+1] = x_{p,B} + y_{p,A}), so a
 * file whose θ is laid out otherwise, or was not made by commutative EM, is refused instead of silently misread.
 */
public final class OfficialCommVqImporter {
    private static final Pattern KEY_FILE = Pattern.compile("(\\d{3})_(\\d+)\\.pt");
    private static final double CENTER_TOLERANCE = 1e-5;
    private static final int ENTRIES = OfficialKeyCodebook.ENTRIES;

    private OfficialCommVqImporter() {
    }

    /** One {@code LLL_H.pt} file. */
    public static OfficialKeyCodebook readKeyFile(Path file) {
        Map<?, ?> root = map(file, TorchZipReader.read(file), "the checkpoint");
        double finalError = number(file, root.get("final_error"), "final_error");
        List<?> steps = list(file, root.get("steps"), "steps");
        if (steps.isEmpty()) {
            throw new CodebookException(file, "'steps' is empty");
        }
        int stages = steps.size();
        int pairs = -1;
        float[] theta = null;
        double[] loss = new double[stages];
        for (int r = 0; r < stages; r++) {
            String where = "steps[" + r + "]";
            Map<?, ?> step = map(file, steps.get(r), where);
            TorchTensor t = tensor(file, step.get("theta"), where + ".theta");
            if (t.rank() != 2 || t.dim(0) != 2 * ENTRIES || t.dim(1) < 1) {
                throw new CodebookException(file, where + ".theta has shape " + shape(t) + ", expected [128, pairs]");
            }
            if (pairs < 0) {
                pairs = t.dim(1);
                theta = new float[stages * pairs * ENTRIES * 2];
            } else if (t.dim(1) != pairs) {
                throw new CodebookException(file, where + ".theta has " + t.dim(1) + " pairs, steps[0] has " + pairs);
            }
            TorchTensor c = tensor(file, step.get("clustering_centers"), where + ".clustering_centers");
            if (c.rank() != 2 || c.dim(0) != ENTRIES * ENTRIES || c.dim(1) != 2 * pairs) {
                throw new CodebookException(file, where + ".clustering_centers has shape " + shape(c) + ", expected ["
                        + ENTRIES * ENTRIES + ", " + 2 * pairs + "]");
            }
            float[] th = t.floats();
            checkCenters(file, where, th, c.floats(), pairs);
            for (int p = 0; p < pairs; p++) {
                for (int j = 0; j < ENTRIES; j++) {
                    int to = ((r * pairs + p) * ENTRIES + j) * 2;
                    theta[to] = th[(2 * j) * pairs + p];
                    theta[to + 1] = th[(2 * j + 1) * pairs + p];
                }
            }
            loss[r] = number(file, step.get("mse_loss"), where + ".mse_loss");
        }
        return new OfficialKeyCodebook(stages, pairs, theta, finalError, loss);
    }

    /**
     * Spec oracle 3 on one stage. θ rows are (x_j, y_j) interleaved and its columns are pairs, as the trainer's
     * M-step writes them; the centers are T·θ reshaped to [4096][pairs·2].
     */
    private static void checkCenters(Path file, String where, float[] th, float[] centers, int pairs) {
        int width = 2 * pairs;
        float[] expected = new float[centers.length];
        double max = 0;
        for (int c = 0; c < ENTRIES * ENTRIES; c++) {
            int a = c / ENTRIES;
            int b = c % ENTRIES;
            for (int p = 0; p < pairs; p++) {
                expected[c * width + 2 * p] = th[2 * a * pairs + p] - th[(2 * b + 1) * pairs + p];
                expected[c * width + 2 * p + 1] = th[2 * b * pairs + p] + th[(2 * a + 1) * pairs + p];
            }
        }
        for (float e : expected) {
            max = Math.max(max, Math.abs(e));
        }
        double tolerance = CENTER_TOLERANCE * max + Float.MIN_NORMAL;
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(centers[i] - expected[i]) <= tolerance)) {
                throw new CodebookException(file, where + ".clustering_centers[" + i / width + "][" + i % width
                        + "] = " + centers[i] + " but theta gives " + expected[i]
                        + " (spec oracle 3): not a commutative CommVQ key codebook");
            }
        }
    }

    /** Every {@code LLL_H.pt} of a folder, which must hold exactly the model's layers × KV heads. */
    public static OfficialKeyCodebooks importKeys(Path folder, ModelShape shape) {
        int layers = shape.layers();
        int heads = shape.kvHeads();
        Path[] files = keyFiles(folder, layers, heads);
        OfficialKeyCodebook[] read = new OfficialKeyCodebook[files.length];
        Workers.parallelFor(files.length, 1, i -> read[i] = readKeyFile(files[i]));
        int stages = read[0].stages();
        int pairs = shape.headDim() / 2;
        OfficialKeyCodebooks all = new OfficialKeyCodebooks(layers, heads, stages, pairs,
                new float[Math.multiplyExact(files.length, stages * pairs * ENTRIES * 2)], new double[layers][heads]);
        for (int i = 0; i < files.length; i++) {
            OfficialKeyCodebook k = read[i];
            if (k.pairs() != pairs) {
                throw new CodebookException(files[i], "theta has " + k.pairs() + " pairs, this model has head_dim "
                        + shape.headDim() + " (" + pairs + " pairs)");
            }
            if (k.stages() != stages) {
                throw new CodebookException(files[i], "has " + k.stages() + " stages, " + files[0].getFileName()
                        + " has " + stages);
            }
            System.arraycopy(k.theta(), 0, all.theta(), i * all.blockSize(), all.blockSize());
            all.finalErrors()[i / heads][i % heads] = k.finalError();
        }
        return all;
    }

    private static Path[] keyFiles(Path folder, int layers, int heads) {
        Path[] files = new Path[layers * heads];
        List<Path> listed;
        try (Stream<Path> s = Files.list(folder)) {
            listed = s.sorted().toList();
        } catch (IOException e) {
            throw new CodebookException(folder, "cannot list the key codebook folder (" + e + ")", e);
        }
        for (Path p : listed) {
            Matcher m = KEY_FILE.matcher(p.getFileName().toString());
            if (!m.matches()) {
                continue;
            }
            int layer = Integer.parseInt(m.group(1));
            long head = Long.parseLong(m.group(2));
            if (layer >= layers || head >= heads) {
                throw new CodebookException(folder, p.getFileName() + " is beyond this model's " + layers
                        + " layers × " + heads + " KV heads");
            }
            files[layer * heads + (int) head] = p;
        }
        for (int i = 0; i < files.length; i++) {
            if (files[i] == null) {
                throw new CodebookException(folder, "missing " + String.format("%03d_%d.pt", i / heads, i % heads)
                        + " (this model has " + layers + " layers × " + heads + " KV heads)");
            }
        }
        return files;
    }

    /** The value compressor of every layer from a safetensors checkpoint (a file or a folder of shards). */
    public static List<OfficialValueCompressor> importValues(Path checkpoint, ModelShape shape) {
        try (SafetensorsShards shards = new SafetensorsShards(checkpoint)) {
            List<OfficialValueCompressor> layers = new ArrayList<>();
            for (int l = 0; l < shape.layers(); l++) {
                layers.add(valueCompressor(checkpoint, shards, shape, l));
            }
            return layers;
        }
    }

    /** One layer's value compressor. */
    public static OfficialValueCompressor importValues(Path checkpoint, ModelShape shape, int layer) {
        try (SafetensorsShards shards = new SafetensorsShards(checkpoint)) {
            return valueCompressor(checkpoint, shards, shape, layer);
        }
    }

    /** The state-dict prefix of layer l's value compressor. */
    public static String valuePrefix(int layer) {
        return "model.layers." + layer + ".self_attn.value_vq_model.";
    }

    private static OfficialValueCompressor valueCompressor(Path checkpoint, SafetensorsShards shards, ModelShape shape,
                                                           int layer) {
        String prefix = valuePrefix(layer);
        long f = shape.kvDim();
        long[] embedding = shards.shape(prefix + "embedding");
        long[] enc1 = shards.shape(prefix + "enc1.weight");
        if (embedding == null || enc1 == null) {
            throw new CodebookException(checkpoint, "no value compressor for layer " + layer + " (tensor '" + prefix
                    + (embedding == null ? "embedding" : "enc1.weight") + "' is missing)");
        }
        if (embedding.length != 2 || embedding[1] != f || embedding[0] % 2 != 0 || embedding[0] % f != 0) {
            throw new CodebookException(checkpoint, "tensor '" + prefix + "embedding' has shape "
                    + Arrays.toString(embedding) + ", expected [F·bits, F] with F = " + f);
        }
        if (enc1.length != 2 || enc1[1] != f) {
            throw new CodebookException(checkpoint, "tensor '" + prefix + "enc1.weight' has shape "
                    + Arrays.toString(enc1) + ", expected [hidden, " + f + "]");
        }
        int groups = (int) (embedding[0] / 2);
        int hidden = (int) enc1[0];
        long out = 4L * groups;
        return new OfficialValueCompressor(layer, (int) f, hidden, groups,
                shards.floats(prefix + "embedding", embedding[0], f),
                shards.floats(prefix + "norm1.weight", f),
                shards.floats(prefix + "norm1.bias", f),
                shards.floats(prefix + "enc1.weight", hidden, f),
                shards.floats(prefix + "enc1.bias", hidden),
                shards.floats(prefix + "out.weight", out, hidden),
                shards.floats(prefix + "out.bias", out),
                shards.floats(prefix + "learnable_scale", f));
    }

    private static Map<?, ?> map(Path file, Object o, String what) {
        if (!(o instanceof Map<?, ?> m)) {
            throw new CodebookException(file, what + " is not a dict");
        }
        return m;
    }

    private static List<?> list(Path file, Object o, String what) {
        if (!(o instanceof List<?> l)) {
            throw new CodebookException(file, "'" + what + "' is missing or not a list");
        }
        return l;
    }

    private static TorchTensor tensor(Path file, Object o, String what) {
        if (!(o instanceof TorchTensor t)) {
            throw new CodebookException(file, what + " is missing or not a tensor");
        }
        return t;
    }

    private static double number(Path file, Object o, String what) {
        if (o instanceof Double d) {
            return d;
        }
        if (o instanceof Long l) {
            return l;
        }
        if (o instanceof TorchTensor t && t.numel() == 1 && t.dtype().floating()) {
            return t.item();
        }
        throw new CodebookException(file, "'" + what + "' is missing or not a number");
    }

    private static String shape(TorchTensor t) {
        return Arrays.toString(t.shape());
    }
}
