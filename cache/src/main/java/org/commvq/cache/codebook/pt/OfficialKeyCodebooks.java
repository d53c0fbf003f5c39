package org.commvq.cache.codebook.pt;

/**
 * The key codebooks of every layer and KV head, in one flat array laid out [layers][kvHeads][R][P][64][2].
 *
 * @param finalErrors each file's {@code final_error}, [layer][kvHead]
 */
public record OfficialKeyCodebooks(int layers, int kvHeads, int stages, int pairs, float[] theta,
                                   double[][] finalErrors) {

    /** Floats of one (layer, head) block: R·P·64·2. */
    public int blockSize() {
        return stages * pairs * OfficialKeyCodebook.ENTRIES * 2;
    }

    /** Index into {@link #theta()} of x (k = 0) or y (k = 1) of z_{layer,head,r,p,j}. */
    public int index(int layer, int head, int r, int p, int j, int k) {
        return (((((layer * kvHeads + head) * stages + r) * pairs + p) * OfficialKeyCodebook.ENTRIES + j) << 1) + k;
    }
}
