package org.commvq.cache.commvq;

/**
 * The exact (erf) GELU of torch.nn.GELU(), in double. Java has no erf, and the value encoder's argmax must not move
 * with an approximation error, so erf comes from its Maclaurin series below |z| = 2.5 and from the continued
 * fraction of erfc above, both good to about 1e-14. StrictMath keeps results identical on every JVM.
 */
final class CommVqGelu {
    private static final double TWO_OVER_SQRT_PI = 2.0 / Math.sqrt(Math.PI);
    private static final double INV_SQRT_PI = 1.0 / Math.sqrt(Math.PI);
    private static final double INV_SQRT2 = 1.0 / Math.sqrt(2.0);
    private static final double SERIES_LIMIT = 2.5;
    private static final int FRACTION_TERMS = 60;

    private CommVqGelu() {
    }

    static float gelu(float x) {
        double z = x * INV_SQRT2;
        double upper = z >= 0 ? 1.0 + erfAbs(z) : erfc(-z);
        return (float) (0.5 * x * upper);
    }

    /** erf(z) for z ≥ 0. */
    static double erfAbs(double z) {
        return z < SERIES_LIMIT ? erfSeries(z) : 1.0 - erfcFraction(z);
    }

    /** erfc(z) for z ≥ 0. */
    static double erfc(double z) {
        return z < SERIES_LIMIT ? 1.0 - erfSeries(z) : erfcFraction(z);
    }

    private static double erfSeries(double z) {
        double z2 = z * z;
        double power = z;
        double sum = z;
        for (int n = 1; n < 100; n++) {
            power *= -z2 / n;
            double term = power / (2 * n + 1);
            sum += term;
            if (Math.abs(term) < 1e-17 * Math.abs(sum)) {
                break;
            }
        }
        return TWO_OVER_SQRT_PI * sum;
    }

    /** erfc(z) = e^{−z²}/√π · 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + …)))), evaluated from the tail. */
    private static double erfcFraction(double z) {
        double f = z;
        for (int k = FRACTION_TERMS; k >= 1; k--) {
            f = z + (k * 0.5) / f;
        }
        return StrictMath.exp(-z * z) * INV_SQRT_PI / f;
    }
}
