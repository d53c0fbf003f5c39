package org.commvq.cache.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Spec oracle 9. */
class TemperatureScheduleTest {

    @Test
    void spansThreeToFiveDecadesBelowTheStageScale() {
        for (double s : new double[] {1, 0.1, 1e-5}) {
            assertEquals(s * 1e-3, TemperatureSchedule.temperature(s, 0, 100), 1e-15 * s);
            assertEquals(s * 1e-5, TemperatureSchedule.temperature(s, 99, 100), 1e-17 * s);
            for (int t = 0; t < 99; t++) {
                double ratio = TemperatureSchedule.temperature(s, t, 100) / TemperatureSchedule.temperature(s, t + 1, 100);
                assertEquals(Math.pow(100, 1.0 / 99), ratio, 1e-12);
            }
        }
    }

    @Test
    void stageScalesFollowTheSpec() {
        double[] expected = {1, 0.1, 0.1, 0.1, 0.1, 1e-2, 1e-2, 1e-2, 1e-2, 1e-3, 1e-3, 1e-3, 1e-3, 1e-4, 1e-4,
            1e-4, 1e-4, 1e-5, 1e-5, 1e-5, 1e-5};
        for (int r = 0; r < expected.length; r++) {
            assertEquals(expected[r], TemperatureSchedule.stageScale(r), expected[r] * 1e-12, "stage " + r);
        }
    }
}
