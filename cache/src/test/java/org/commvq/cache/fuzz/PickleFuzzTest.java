package org.commvq.cache.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.commvq.cache.codebook.pt.PickleException;
import org.commvq.cache.codebook.pt.RestrictedUnpickler;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The restricted unpickler on raw hostile pickle bytes (no checkpoint around them, so persistent ids are refused):
 * plain data comes back, or a {@link PickleException} naming the byte at fault. The result is walked, as callers
 * walk it, so a structure that refers to itself must not hurt either.
 *
 * <p>Long run: {@code JAZZER_FUZZ=1 ./mvn25 -pl cache -am test -Dtest=PickleFuzzTest#pickle
 * -Djazzer.max_executions=1000000 -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class PickleFuzzTest {

    @BeforeAll
    static void replayWithoutHooks() {
        RegressionMode.withoutHooks();
    }

    @FuzzTest(maxDuration = "2h")
    void pickle(byte[] data) {
        ReaderContract.check(data.length, () -> PickledData.walk(RestrictedUnpickler.load(data)),
                PickleException.class);
    }

    @Test
    @Timeout(60)
    void seededMutations() {
        SeededFuzz.run(PickleFuzzTest.class, "pickle", 20_000, 0x706b_6c21L, this::pickle);
    }
}
