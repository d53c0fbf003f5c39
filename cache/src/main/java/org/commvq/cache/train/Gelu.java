package org.commvq.cache.train;

/**
 * GELU(x) = x·Φ(x) and its derivative Φ(x) + x·φ(x) for training the value encoder. Φ uses Abramowitz–Stegun 7.1.26
 * (|error| ≤ 1.5e-7), well below what moves a training step; the trained encoder runs with the exact erf of
 * {@link org.commvq.cache.commvq.CommVqValueCodec}.
 */
final class Gelu {
    private static final double INV_SQRT2 = 1 / Math.sqrt(2);
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
    private static final double P = 0.3275911;
    private static final double A1 = 0.254829592;
    private static final double A2 = -0.284496736;
    private static final double A3 = 1.421413741;
    private static final double A4 = -1.453152027;
    private static final double A5 = 1.061405429;

    private Gelu() {
    }

    static float value(float x) {
        return (float) (x * cdf(x));
    }

    static float derivative(float x) {
        return (float) (cdf(x) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x));
    }

    /** Φ(x) = (1 + erf(x/√2))/2. */
    static double cdf(double x) {
        double z = Math.abs(x) * INV_SQRT2;
        double t = 1 / (1 + P * z);
        double erf = 1 - ((((A5 * t + A4) * t + A3) * t + A2) * t + A1) * t * Math.exp(-z * z);
        return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
    }
}
