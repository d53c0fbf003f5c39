package org.commvq.model.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import org.commvq.cache.fuzz.ReaderContract;
import org.commvq.cache.fuzz.RegressionMode;
import org.commvq.cache.fuzz.ScratchFile;
import org.commvq.cache.fuzz.SeededFuzz;
import org.commvq.model.ModelFormatException;
import org.commvq.model.gguf.GgufFile;
import org.commvq.model.gguf.GgufTensor;
import org.commvq.model.gguf.GgufValue;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * GgufFile.open on hostile bytes, then what a loader does with an opened file (every metadata value, every tensor's
 * bytes, matrix view and small decodes): each either works or ends in a {@link ModelFormatException}.
 *
 * <p>The normal build runs {@link #gguf} on the corpus in {@code GgufFuzzTestInputs/gguf} and {@link #seededMutations}.
 * The long run is Jazzer proper (coverage-guided), from the repository root:
 * <pre>
 * JAZZER_FUZZ=1 ./mvn25 -pl model -am test -Dtest=GgufFuzzTest#gguf -Djazzer.max_executions=1000000 \
 *     -Djazzer.max_duration=2h -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * Jazzer keeps its corpus in {@code model/.cifuzz-corpus} and writes a finding into the Inputs folder, where the
 * normal build then replays it.
 */
class GgufFuzzTest {
    private static final Path FILE = ScratchFile.create(".gguf");
    /** Tensors decoded whole after opening; larger ones are only sliced. */
    private static final long DECODE_LIMIT = 1 << 16;

    @BeforeAll
    static void replayWithoutHooks() {
        RegressionMode.withoutHooks();
    }

    @FuzzTest(maxDuration = "2h")
    void gguf(byte[] data) {
        ScratchFile.write(FILE, data);
        ReaderContract.check(data.length, GgufFuzzTest::openAndUse, ModelFormatException.class);
    }

    @Test
    @Timeout(60)
    void seededMutations() {
        SeededFuzz.run(GgufFuzzTest.class, "gguf", 4000, 0x6767_7566L, this::gguf);
    }

    private static void openAndUse() {
        try (GgufFile file = GgufFile.open(FILE)) {
            for (GgufValue v : file.metadata().asMap().values()) {
                v.toString();
            }
            for (GgufTensor t : file.tensors()) {
                t.data().byteSize();
                if (t.elementCount() <= DECODE_LIMIT) {
                    t.toFloats();
                }
            }
            for (GgufTensor t : file.tensors()) {
                if (t.rank() == 2) {
                    t.matrix();
                }
            }
        }
    }
}
