package org.commvq.cache;

/**
 * RoPE base and the optional llama3 frequency scaling ("rope_type": "llama3").
 * With {@code factor == 1} the frequencies are the plain θ^(−2p/d).
 */
public record RopeParameters(double theta, double factor, double lowFreqFactor, double highFreqFactor,
                             int originalContext) {

    public static RopeParameters plain(double theta) {
        return new RopeParameters(theta, 1.0, 1.0, 4.0, 8192);
    }

    public static RopeParameters llama3(double theta, double factor, double lowFreqFactor, double highFreqFactor,
                                        int originalContext) {
        return new RopeParameters(theta, factor, lowFreqFactor, highFreqFactor, originalContext);
    }

    public RopeParameters {
        if (!(theta > 1.0) || !Double.isFinite(theta)) {
            throw new IllegalArgumentException("rope theta must be a finite number > 1, got " + theta);
        }
        if (!(factor >= 1.0)) {
            throw new IllegalArgumentException("rope scaling factor must be >= 1, got " + factor);
        }
    }

    public boolean scaled() {
        return factor != 1.0;
    }

    /** Angular frequency ω_p of pair p for a head of width headDim, in double precision (spec §0). */
    public double frequency(int pair, int headDim) {
        double base = Math.pow(theta, -2.0 * pair / headDim);
        if (!scaled()) {
            return base;
        }
        double wavelength = 2 * Math.PI / base;
        double lowFreqWavelength = originalContext / lowFreqFactor;
        double highFreqWavelength = originalContext / highFreqFactor;
        if (wavelength < highFreqWavelength) {
            return base;
        }
        if (wavelength > lowFreqWavelength) {
            return base / factor;
        }
        double smooth = (originalContext / wavelength - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
        return (1 - smooth) * base / factor + smooth * base;
    }

    public double[] frequencies(int headDim) {
        double[] omega = new double[headDim / 2];
        for (int p = 0; p < omega.length; p++) {
            omega[p] = frequency(p, headDim);
        }
        return omega;
    }
}
