package org.commvq.cache.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import org.commvq.cache.io.SafetensorsFile;
import org.commvq.cache.io.TensorFileException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SafetensorsFile.open on hostile bytes, then every tensor read the way the loaders read them: each step works or
 * ends in a {@link TensorFileException}.
 *
 * <p>Long run (Jazzer, coverage-guided), from the repository root:
 * {@code JAZZER_FUZZ=1 ./mvn25 -pl cache -am test -Dtest=SafetensorsFuzzTest#safetensors
 * -Djazzer.max_executions=1000000 -Dsurefire.failIfNoSpecifiedTests=false}; a finding lands in
 * {@code SafetensorsFuzzTestInputs/safetensors}, which the normal build replays.
 */
class SafetensorsFuzzTest {
    private static final Path FILE = ScratchFile.create(".safetensors");

    @BeforeAll
    static void replayWithoutHooks() {
        RegressionMode.withoutHooks();
    }

    @FuzzTest(maxDuration = "2h")
    void safetensors(byte[] data) {
        ScratchFile.write(FILE, data);
        ReaderContract.check(data.length, SafetensorsFuzzTest::openAndRead, TensorFileException.class);
    }

    @Test
    @Timeout(60)
    void seededMutations() {
        SeededFuzz.run(SafetensorsFuzzTest.class, "safetensors", 4000, 0x7361_6665L, this::safetensors);
    }

    private static void openAndRead() {
        try (SafetensorsFile file = SafetensorsFile.open(FILE)) {
            file.metadata();
            for (String name : file.tensorNames()) {
                file.data(name);
                switch (file.info(name).dtype()) {
                    case F32, F16, BF16 -> file.floats(name);
                    case F64 -> file.info(name).elementCount();
                    default -> file.ints(name);
                }
            }
        }
    }
}
