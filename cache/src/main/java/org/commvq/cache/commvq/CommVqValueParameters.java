package org.commvq.cache.commvq;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The raw parameters of one layer's CommVQ value compressor, shaped as the official state dict
 * ({@code value_vq_model.{embedding, norm1.*, enc1.*, out.*, learnable_scale}}); Linear weights are [out][in].
 * Sizes come from the arrays (pitfall §3.5): F from the scale, 2·n_e code bits from the embedding, the hidden width
 * from enc1's bias.
 *
 * @param embedding  E, [2·n_e][F]
 * @param normWeight LayerNorm weight [F]
 * @param normBias   LayerNorm bias [F]
 * @param enc1Weight [I][F]
 * @param enc1Bias   [I]
 * @param outWeight  [4·n_e][I]
 * @param outBias    [4·n_e]
 * @param scale      λ, the frozen per-channel mean |v| [F]
 */
public record CommVqValueParameters(float[] embedding, float[] normWeight, float[] normBias, float[] enc1Weight,
                                    float[] enc1Bias, float[] outWeight, float[] outBias, float[] scale) {
    private static final String[] NAMES = {"embedding", "norm1.weight", "norm1.bias", "enc1.weight", "enc1.bias",
            "out.weight", "out.bias", "learnable_scale"};

    public CommVqValueParameters {
        int f = scale.length;
        if (f == 0 || embedding.length % f != 0) {
            throw new IllegalArgumentException("value codebook has " + embedding.length
                    + " floats, not a whole number of rows of the value width " + f);
        }
        int codeBits = embedding.length / f;
        if (codeBits % f != 0 || codeBits % 8 != 0) {
            throw new IllegalArgumentException("value codebook has " + codeBits + " rows; expected bits x " + f);
        }
        int hidden = enc1Bias.length;
        int logits = 2 * codeBits;
        check("norm1.weight", normWeight.length, f);
        check("norm1.bias", normBias.length, f);
        check("enc1.weight", enc1Weight.length, (long) hidden * f);
        check("out.weight", outWeight.length, (long) logits * hidden);
        check("out.bias", outBias.length, logits);
    }

    private static void check(String name, long got, long expected) {
        if (got != expected) {
            throw new IllegalArgumentException("value compressor tensor " + name + " has " + got + " floats, expected "
                    + expected);
        }
    }

    /** F: the width of a token's value vector over all KV heads. */
    public int featureDim() {
        return scale.length;
    }

    /** 2·n_e = F·bits. */
    public int codeBits() {
        return embedding.length / scale.length;
    }

    public int bits() {
        return codeBits() / featureDim();
    }

    /** I, the encoder's hidden width. */
    public int hiddenDim() {
        return enc1Bias.length;
    }

    /** Floats over all tensors. */
    public long parameterCount() {
        return (long) embedding.length + normWeight.length + normBias.length + enc1Weight.length + enc1Bias.length
                + outWeight.length + outBias.length + scale.length;
    }

    /** Tensors named "{prefix}{official suffix}", e.g. prefix "layers.3.value.". */
    public Map<String, CommVqTensor> toTensors(String prefix) {
        int f = featureDim();
        int i = hiddenDim();
        int bits = codeBits();
        Map<String, CommVqTensor> out = new LinkedHashMap<>();
        out.put(prefix + NAMES[0], new CommVqTensor(new int[] {bits, f}, embedding));
        out.put(prefix + NAMES[1], new CommVqTensor(new int[] {f}, normWeight));
        out.put(prefix + NAMES[2], new CommVqTensor(new int[] {f}, normBias));
        out.put(prefix + NAMES[3], new CommVqTensor(new int[] {i, f}, enc1Weight));
        out.put(prefix + NAMES[4], new CommVqTensor(new int[] {i}, enc1Bias));
        out.put(prefix + NAMES[5], new CommVqTensor(new int[] {2 * bits, i}, outWeight));
        out.put(prefix + NAMES[6], new CommVqTensor(new int[] {2 * bits}, outBias));
        out.put(prefix + NAMES[7], new CommVqTensor(new int[] {f}, scale));
        return out;
    }

    public static CommVqValueParameters fromTensors(Map<String, CommVqTensor> tensors, String prefix) {
        float[][] data = new float[NAMES.length][];
        for (int k = 0; k < NAMES.length; k++) {
            CommVqTensor t = tensors.get(prefix + NAMES[k]);
            if (t == null) {
                throw new IllegalArgumentException("no value compressor tensor " + prefix + NAMES[k]);
            }
            data[k] = t.data();
        }
        return new CommVqValueParameters(data[0], data[1], data[2], data[3], data[4], data[5], data[6], data[7]);
    }
}
