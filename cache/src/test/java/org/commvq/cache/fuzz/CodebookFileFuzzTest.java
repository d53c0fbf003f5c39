package org.commvq.cache.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import org.commvq.cache.codebook.CodebookException;
import org.commvq.cache.codebook.CodebookFile;
import org.commvq.cache.codebook.CodebookTensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * CodebookFile.read on hostile bytes (a safetensors file whose metadata holds the JSON header), then what a cache
 * builder asks of the result: header fields and every tensor's shape. Each works or ends in a
 * {@link CodebookException}.
 *
 * <p>Long run: {@code JAZZER_FUZZ=1 ./mvn25 -pl cache -am test -Dtest=CodebookFileFuzzTest#codebook
 * -Djazzer.max_executions=1000000 -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class CodebookFileFuzzTest {
    private static final Path FILE = ScratchFile.create(".safetensors");

    @BeforeAll
    static void replayWithoutHooks() {
        RegressionMode.withoutHooks();
    }

    @FuzzTest(maxDuration = "2h")
    void codebook(byte[] data) {
        ScratchFile.write(FILE, data);
        ReaderContract.check(data.length, CodebookFileFuzzTest::readAndUse, CodebookException.class);
    }

    @Test
    @Timeout(60)
    void seededMutations() {
        SeededFuzz.run(CodebookFileFuzzTest.class, "codebook", 3000, 0x636f_6465L, this::codebook);
    }

    private static void readAndUse() {
        CodebookFile file = CodebookFile.read(FILE);
        file.header().method();
        file.header().stages().values().forEach(Integer::intValue);
        file.header().provenance().toString();
        for (String name : file.tensors().keySet()) {
            CodebookTensor t = file.tensor(name);
            for (int d = 0; d < t.rank(); d++) {
                t.dim(d);
            }
        }
    }
}
