package org.commvq.cache.train;

/**
 * Rounding to IEEE half precision, the precision codebook files store: trained parameters are rounded before they
 * are measured and checkpointed, so the reported errors are those of the file.
 */
final class Half {
    private Half() {
    }

    static float[] round(float[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = Float.float16ToFloat(Float.floatToFloat16(x[i]));
        }
        return out;
    }
}
