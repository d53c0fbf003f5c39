package org.commvq.cache.codebook.pt;

/**
 * One layer's CommVQ value compressor (spec §1.5) as stored in the official checkpoint, row-major like PyTorch
 * (Linear weights are [out][in]).
 *
 * @param featureDim F = kv_heads · head_dim
 * @param hiddenDim  I, the width of enc1
 * @param codeGroups n_e, the two-bit groups (the encoder emits 4 logits per group)
 * @param embedding  E, [2·n_e][F]
 * @param enc1Weight [I][F]
 * @param outWeight  [4·n_e][I]
 */
public record OfficialValueCompressor(int layer, int featureDim, int hiddenDim, int codeGroups, float[] embedding,
                                      float[] norm1Weight, float[] norm1Bias, float[] enc1Weight, float[] enc1Bias,
                                      float[] outWeight, float[] outBias, float[] learnableScale) {

    /** Value bits per scalar: 2·n_e bits per token over F values. */
    public int bits() {
        return 2 * codeGroups / featureDim;
    }
}
