package org.commvq.cache.train;

/**
 * One KV head's training data for the key codebooks: every token's slice of k/‖k‖ (the norm over all heads of the
 * token, spec §1.2) and the squared norm, which turns a distance in normalized units back into raw units. Tokens
 * with a zero key are left out: the encoder stores them as norm 0 whatever the codes.
 *
 * @param unit    [tokens][2P], interleaved, one row per kept token
 * @param normSq  ‖k‖² per kept token
 * @param rawEnergy Σ over kept tokens of ‖k_head‖², the denominator of the relative error
 */
record KeyHeadData(float[] unit, float[] normSq, int tokens, int pairs, double rawEnergy) {

    /** The slices of head h from a layer's keys [n][F] (F = heads·2P). */
    static KeyHeadData of(float[] keys, int n, int heads, int head, int headDim) {
        int f = heads * headDim;
        int kept = 0;
        double[] sq = new double[n];
        for (int t = 0; t < n; t++) {
            double s = 0;
            for (int i = 0; i < f; i++) {
                s += (double) keys[t * f + i] * keys[t * f + i];
            }
            sq[t] = s;
            if (s > 0) {
                kept++;
            }
        }
        float[] unit = new float[kept * headDim];
        float[] normSq = new float[kept];
        double energy = 0;
        int row = 0;
        for (int t = 0; t < n; t++) {
            if (sq[t] == 0) {
                continue;
            }
            float norm = (float) Math.sqrt(sq[t]);
            normSq[row] = norm * norm;
            int src = t * f + head * headDim;
            for (int i = 0; i < headDim; i++) {
                float k = keys[src + i];
                unit[row * headDim + i] = k / norm;
                energy += (double) k * k;
            }
            row++;
        }
        return new KeyHeadData(unit, normSq, kept, headDim / 2, energy);
    }
}
