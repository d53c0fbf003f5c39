package org.commvq.cache.train;

/**
 * The annealing of CommVQ's key EM (spec §1.4, oracle 9): at iteration t of T, τ_t = s·1e-3·(1e-2)^(t/(T−1)), i.e.
 * from s·1e-3 down to s·1e-5 whatever T is (T = 100 gives the spec's (1e-2)^(t/99)). The stage scale s is 1 for
 * stage 0 and is divided by 10 after stages 0, 4, 8, 12, 16, …, following how residuals shrink.
 */
public final class TemperatureSchedule {
    private TemperatureSchedule() {
    }

    /** s for residual stage r: 1, then 0.1 for r = 1..4, 1e-2 for 5..8, and so on. */
    public static double stageScale(int stage) {
        if (stage < 0) {
            throw new IllegalArgumentException("stage must be >= 0, got " + stage);
        }
        return stage == 0 ? 1.0 : Math.pow(10, -((stage + 3) / 4));
    }

    /** τ_t for a stage of scale s and a run of {@code iterations} iterations. */
    public static double temperature(double scale, int t, int iterations) {
        if (t < 0 || t >= iterations) {
            throw new IllegalArgumentException("iteration " + t + " is outside 0.." + (iterations - 1));
        }
        double fraction = iterations == 1 ? 0 : (double) t / (iterations - 1);
        return scale * 1e-3 * Math.pow(1e-2, fraction);
    }
}
