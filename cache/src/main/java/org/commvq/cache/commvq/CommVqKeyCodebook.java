package org.commvq.cache.commvq;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import jdk.incubator.vector.FloatVector;
import org.commvq.cache.Workers;

/**
 * CommVQ key codebooks θ for every (layer, KV head, residual stage, RoPE pair): 64 complex numbers z = x + i·y each
 * (spec §1.2). A 12-bit stage code c = 64·A + B selects, for every pair p of the head at once, the codeword
 * w_p(c) = z_{p,A} + i·z_{p,B}, i.e. (x_A − y_B, y_A + x_B) at dims (2p, 2p+1).
 *
 * <p>Besides θ in the spec layout [R][P][64][2] (what the encoder's separable search streams over), it keeps:
 * <ul>
 *   <li>rows [R][64][2P]: entry j of every pair as one contiguous row, x's then y's, so attention gathers a whole
 *       codeword half with a few vector loads;</li>
 *   <li>cross X_{A,B} = 2·Σ_p Re(conj(z_A)·i·z_B) = 2·Σ_p (y_A·x_B − x_A·y_B) [R][64][64] and energy
 *       a_j = Σ_p |z_j|² [R][64], the code-independent parts of ‖e − w(A,B)‖² for the fast exact search.</li>
 * </ul>
 */
public final class CommVqKeyCodebook {
    /** Complex numbers per (stage, pair) table, N_c' in the paper; codes are 12-bit pairs of 6-bit indices. */
    public static final int ENTRIES = 64;
    public static final int CODES = ENTRIES * ENTRIES;

    private final int layers;
    private final int kvHeads;
    private final int stages;
    private final int pairs;
    private final float[][] theta;
    private final float[][] rows;
    private final float[][] cross;
    private final float[][] energy;

    /**
     * @param layerTheta one array per layer, [kvHeads][stages][pairs][64][2] (x, y) in row-major order; kept, not
     *                   copied
     */
    public CommVqKeyCodebook(int kvHeads, int stages, int pairs, float[][] layerTheta) {
        if (kvHeads <= 0 || stages <= 0 || pairs <= 0 || layerTheta.length == 0) {
            throw new IllegalArgumentException("key codebook needs positive layers, heads, stages and pairs, got "
                    + layerTheta.length + ", " + kvHeads + ", " + stages + ", " + pairs);
        }
        this.layers = layerTheta.length;
        this.kvHeads = kvHeads;
        this.stages = stages;
        this.pairs = pairs;
        int headSize = stages * pairs * ENTRIES * 2;
        this.theta = new float[layers * kvHeads][];
        for (int l = 0; l < layers; l++) {
            if (layerTheta[l].length != kvHeads * headSize) {
                throw new IllegalArgumentException("key codebook of layer " + l + " has " + layerTheta[l].length
                        + " floats, expected " + kvHeads * headSize + " = " + kvHeads + " heads x " + stages
                        + " stages x " + pairs + " pairs x 64 x 2");
            }
            for (int h = 0; h < kvHeads; h++) {
                theta[l * kvHeads + h] = Arrays.copyOfRange(layerTheta[l], h * headSize, (h + 1) * headSize);
            }
        }
        this.rows = new float[theta.length][];
        this.cross = new float[theta.length][];
        this.energy = new float[theta.length][];
        Workers.parallelFor(theta.length, 1, i -> {
            rows[i] = splitRows(theta[i]);
            cross[i] = crossTable(rows[i]);
            energy[i] = energyTable(rows[i]);
        });
    }

    /** Reads tensors named as {@link #toTensors()} writes them. */
    public static CommVqKeyCodebook fromTensors(Map<String, CommVqTensor> tensors, int layers) {
        CommVqTensor first = tensors.get(tensorName(0));
        if (first == null) {
            throw new IllegalArgumentException("no key codebook tensor " + tensorName(0));
        }
        int[] shape = first.shape();
        if (shape.length != 5 || shape[3] != ENTRIES || shape[4] != 2) {
            throw new IllegalArgumentException("tensor " + tensorName(0) + " has shape "
                    + Arrays.toString(shape) + ", expected [kvHeads, stages, pairs, 64, 2]");
        }
        float[][] perLayer = new float[layers][];
        for (int l = 0; l < layers; l++) {
            CommVqTensor t = tensors.get(tensorName(l));
            if (t == null) {
                throw new IllegalArgumentException("no key codebook tensor " + tensorName(l));
            }
            perLayer[l] = t.require(tensorName(l), shape);
        }
        return new CommVqKeyCodebook(shape[0], shape[1], shape[2], perLayer);
    }

    /** θ per layer as "layers.{l}.key_theta", shape [kvHeads, stages, pairs, 64, 2]. */
    public Map<String, CommVqTensor> toTensors() {
        Map<String, CommVqTensor> out = new LinkedHashMap<>();
        for (int l = 0; l < layers; l++) {
            out.put(tensorName(l), new CommVqTensor(new int[] {kvHeads, stages, pairs, ENTRIES, 2}, layerTheta(l)));
        }
        return out;
    }

    static String tensorName(int layer) {
        return "layers." + layer + ".key_theta";
    }

    /** θ of one layer, [kvHeads][stages][pairs][64][2], as a fresh array. */
    public float[] layerTheta(int layer) {
        int headSize = stages * pairs * ENTRIES * 2;
        float[] out = new float[kvHeads * headSize];
        for (int h = 0; h < kvHeads; h++) {
            System.arraycopy(theta[layer * kvHeads + h], 0, out, h * headSize, headSize);
        }
        return out;
    }

    public int layers() {
        return layers;
    }

    public int kvHeads() {
        return kvHeads;
    }

    public int stages() {
        return stages;
    }

    public int pairs() {
        return pairs;
    }

    /** Bytes of θ itself (fp32). */
    public long thetaBytes() {
        return 4L * layers * kvHeads * stages * pairs * ENTRIES * 2;
    }

    /** Bytes of the tables derived from θ at load time: split rows, cross terms and energies (fp32). */
    public long derivedTableBytes() {
        return thetaBytes() + 4L * layers * kvHeads * stages * (CODES + ENTRIES);
    }

    /** θ of (layer, head): [stages][pairs][64][2]. */
    float[] theta(int layer, int head) {
        return theta[layer * kvHeads + head];
    }

    /** Split rows of (layer, head): row (r, j) at (r·64 + j)·2P holds x_{p,j} at p and y_{p,j} at P + p. */
    float[] rows(int layer, int head) {
        return rows[layer * kvHeads + head];
    }

    /** X_{A,B} of (layer, head) at r·4096 + 64·A + B. */
    float[] cross(int layer, int head) {
        return cross[layer * kvHeads + head];
    }

    /** a_j of (layer, head) at r·64 + j. */
    float[] energy(int layer, int head) {
        return energy[layer * kvHeads + head];
    }

    /**
     * Copies of the tables of every head of a layer, head after head, for a device that keeps them in its own memory:
     * split rows [kvHeads][R][64][2P] ({@link #rows}), cross [kvHeads][R][64][64] and energy [kvHeads][R][64].
     */
    public float[] layerRows(int layer) {
        return concatHeads(rows, layer);
    }

    public float[] layerCross(int layer) {
        return concatHeads(cross, layer);
    }

    public float[] layerEnergy(int layer) {
        return concatHeads(energy, layer);
    }

    private float[] concatHeads(float[][] perHead, int layer) {
        int size = perHead[layer * kvHeads].length;
        float[] out = new float[kvHeads * size];
        for (int h = 0; h < kvHeads; h++) {
            System.arraycopy(perHead[layer * kvHeads + h], 0, out, h * size, size);
        }
        return out;
    }

    /**
     * out[off..off+2P) += scale · Σ_r w_r(codes[codesOff + r]) in the interleaved layout: the dense decoded key of one
     * head, before RoPE (spec §1.2 "Decode").
     */
    public void decodeHead(int layer, int head, int[] codes, int codesOff, float scale, float[] out, int off) {
        float[] th = theta(layer, head);
        for (int r = 0; r < stages; r++) {
            int a = codes[codesOff + r] / ENTRIES;
            int b = codes[codesOff + r] % ENTRIES;
            for (int p = 0; p < pairs; p++) {
                int base = ((r * pairs + p) * ENTRIES) * 2;
                float xa = th[base + 2 * a];
                float ya = th[base + 2 * a + 1];
                float xb = th[base + 2 * b];
                float yb = th[base + 2 * b + 1];
                out[off + 2 * p] += scale * (xa - yb);
                out[off + 2 * p + 1] += scale * (ya + xb);
            }
        }
    }

    private float[] splitRows(float[] th) {
        int width = 2 * pairs;
        float[] out = new float[stages * ENTRIES * width];
        for (int r = 0; r < stages; r++) {
            for (int p = 0; p < pairs; p++) {
                int src = ((r * pairs + p) * ENTRIES) * 2;
                for (int j = 0; j < ENTRIES; j++) {
                    int row = (r * ENTRIES + j) * width;
                    out[row + p] = th[src + 2 * j];
                    out[row + pairs + p] = th[src + 2 * j + 1];
                }
            }
        }
        return out;
    }

    /** X[A][B] = 2·Σ_p (y_{p,A}·x_{p,B} − x_{p,A}·y_{p,B}), summed over p in order for every lane. */
    private float[] crossTable(float[] split) {
        int width = 2 * pairs;
        float[] out = new float[stages * CODES];
        float[] xs = new float[pairs * ENTRIES];
        float[] ys = new float[pairs * ENTRIES];
        for (int r = 0; r < stages; r++) {
            for (int j = 0; j < ENTRIES; j++) {
                int row = (r * ENTRIES + j) * width;
                for (int p = 0; p < pairs; p++) {
                    xs[p * ENTRIES + j] = split[row + p];
                    ys[p * ENTRIES + j] = split[row + pairs + p];
                }
            }
            for (int a = 0; a < ENTRIES; a++) {
                int rowA = (r * ENTRIES + a) * width;
                int dst = r * CODES + a * ENTRIES;
                for (int b0 = 0; b0 < ENTRIES; b0 += CommVqVectors.LANES) {
                    FloatVector acc = FloatVector.zero(CommVqVectors.SPECIES);
                    for (int p = 0; p < pairs; p++) {
                        float xa = split[rowA + p];
                        float ya = split[rowA + pairs + p];
                        acc = FloatVector.fromArray(CommVqVectors.SPECIES, xs, p * ENTRIES + b0)
                                .fma(FloatVector.broadcast(CommVqVectors.SPECIES, ya), acc);
                        acc = FloatVector.fromArray(CommVqVectors.SPECIES, ys, p * ENTRIES + b0)
                                .fma(FloatVector.broadcast(CommVqVectors.SPECIES, -xa), acc);
                    }
                    acc.mul(2f).intoArray(out, dst + b0);
                }
            }
        }
        return out;
    }

    private float[] energyTable(float[] split) {
        int width = 2 * pairs;
        float[] out = new float[stages * ENTRIES];
        for (int r = 0; r < stages; r++) {
            for (int j = 0; j < ENTRIES; j++) {
                int row = (r * ENTRIES + j) * width;
                double s = 0;
                for (int i = 0; i < width; i++) {
                    s += (double) split[row + i] * split[row + i];
                }
                out[r * ENTRIES + j] = (float) s;
            }
        }
        return out;
    }
}
