package org.commvq.cache.codebook.pt;

/**
 * The key codebook of one (layer, KV head) from an official {@code LLL_H.pt} file.
 *
 * @param stages     residual stages R
 * @param pairs      RoPE pairs P = head_dim / 2
 * @param theta      z_{r,p,j} = x + i·y as [R][P][64][2] (x at [..][0], y at [..][1])
 * @param finalError the file's {@code final_error}
 * @param stageLoss  each stage's {@code mse_loss}
 */
public record OfficialKeyCodebook(int stages, int pairs, float[] theta, double finalError, double[] stageLoss) {
    /** Complex entries per (stage, pair): A and B of a 12-bit code each index 64 of them. */
    public static final int ENTRIES = 64;
}
