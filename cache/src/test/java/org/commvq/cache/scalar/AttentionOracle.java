package org.commvq.cache.scalar;

import java.util.Random;
import org.commvq.cache.ModelShape;
import org.commvq.cache.Rope;
import org.commvq.cache.RopeParameters;

/** Dense causal GQA attention in double precision: the obvious twin every cache's attention is tested against. */
public final class AttentionOracle {
    private AttentionOracle() {
    }

    public static ModelShape shape(int layers, int heads, int kvHeads, int headDim) {
        return new ModelShape(layers, heads * headDim, heads, kvHeads, headDim, 4 * heads * headDim, 100, 1 << 17,
                1e-5f, RopeParameters.plain(10000));
    }

    /**
     * Output rows of queries pos..pos+n-1: query i sees keys 0..pos+i. {@code keys} are post-RoPE rows
     * [token][kvDim] for tokens 0..pos+n-1, {@code values} likewise.
     */
    public static float[] attend(ModelShape s, int pos, int n, float[] queries, float[][] keys, float[][] values) {
        int hd = s.headDim();
        int qDim = s.queryDim();
        float[] out = new float[n * qDim];
        double scale = 1.0 / Math.sqrt(hd);
        for (int i = 0; i < n; i++) {
            int len = pos + i + 1;
            for (int h = 0; h < s.heads(); h++) {
                int g = h / s.groupSize();
                double[] logits = new double[len];
                double max = Double.NEGATIVE_INFINITY;
                for (int t = 0; t < len; t++) {
                    double dot = 0;
                    for (int d = 0; d < hd; d++) {
                        dot += (double) queries[i * qDim + h * hd + d] * keys[t][g * hd + d];
                    }
                    logits[t] = dot * scale;
                    max = Math.max(max, logits[t]);
                }
                double sum = 0;
                for (int t = 0; t < len; t++) {
                    logits[t] = Math.exp(logits[t] - max);
                    sum += logits[t];
                }
                for (int d = 0; d < hd; d++) {
                    double o = 0;
                    for (int t = 0; t < len; t++) {
                        o += logits[t] / sum * values[t][g * hd + d];
                    }
                    out[i * qDim + h * hd + d] = (float) o;
                }
            }
        }
        return out;
    }

    /** Post-RoPE copies of pre-RoPE key rows, token t at position t. */
    public static float[][] rotate(ModelShape s, float[][] preRope) {
        Rope rope = new Rope(s.rope(), s.headDim());
        float[][] post = new float[preRope.length][];
        for (int t = 0; t < preRope.length; t++) {
            post[t] = preRope[t].clone();
            rope.rotate(post[t], 0, s.kvHeads(), t);
        }
        return post;
    }

    public static float[][] gaussianRows(Random rnd, int rows, int width, double sigma) {
        float[][] x = new float[rows][width];
        for (float[] row : x) {
            for (int c = 0; c < width; c++) {
                row[c] = (float) (rnd.nextGaussian() * sigma);
            }
        }
        return x;
    }

    /** Rows [from, from+n) concatenated. */
    public static float[] flatten(float[][] rows, int from, int n) {
        int w = rows[0].length;
        float[] x = new float[n * w];
        for (int i = 0; i < n; i++) {
            System.arraycopy(rows[from + i], 0, x, i * w, w);
        }
        return x;
    }

    public static float[][] fp16(float[][] rows) {
        float[][] r = new float[rows.length][];
        for (int t = 0; t < rows.length; t++) {
            r[t] = new float[rows[t].length];
            for (int c = 0; c < r[t].length; c++) {
                r[t][c] = Float.float16ToFloat(Float.floatToFloat16(rows[t][c]));
            }
        }
        return r;
    }

    /** ‖a − b‖ / ‖b‖. */
    public static double l2RelativeError(float[] a, float[] b) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < a.length; i++) {
            diff += (a[i] - b[i]) * (double) (a[i] - b[i]);
            norm += b[i] * (double) b[i];
        }
        return Math.sqrt(diff / norm);
    }

    /** Largest |a − b| divided by the largest |b|. */
    public static double relativeError(float[] a, float[] b) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            norm = Math.max(norm, Math.abs(b[i]));
        }
        return diff / norm;
    }
}
