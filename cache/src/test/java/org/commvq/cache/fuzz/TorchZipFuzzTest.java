package org.commvq.cache.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import org.commvq.cache.codebook.CodebookException;
import org.commvq.cache.codebook.pt.TorchZipReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The .pt reader two ways: {@link #zip} takes a whole hostile file (zip structure, entry names and sizes, the pickle
 * and blobs inside; torch.save stores entries uncompressed, so a mutated pickle reaches the unpickler), and
 * {@link #pickleInZip} wraps a hostile pickle in a well-formed checkpoint whose storage blobs are those of the
 * PyTorch-made seed, so persistent ids resolve and tensors get rebuilt and decoded. Either works or ends in a
 * {@link CodebookException}.
 *
 * <p>Long runs: {@code JAZZER_FUZZ=1 ./mvn25 -pl cache -am test -Dtest=TorchZipFuzzTest#zip
 * -Djazzer.max_executions=1000000 -Dsurefire.failIfNoSpecifiedTests=false}, and the same with {@code #pickleInZip}.
 */
class TorchZipFuzzTest {
    private static final Path FILE = ScratchFile.create(".pt");

    @BeforeAll
    static void replayWithoutHooks() {
        RegressionMode.withoutHooks();
    }

    @FuzzTest(maxDuration = "2h")
    void zip(byte[] data) {
        ScratchFile.write(FILE, data);
        ReaderContract.check(data.length, () -> PickledData.walk(TorchZipReader.read(FILE)),
                CodebookException.class);
    }

    @FuzzTest(maxDuration = "2h")
    void pickleInZip(byte[] pickle) {
        zip(Checkpoints.wrap(pickle));
    }

    @Test
    @Timeout(60)
    void seededZipMutations() {
        SeededFuzz.run(TorchZipFuzzTest.class, "zip", 3000, 0x7a69_7021L, this::zip);
    }

    @Test
    @Timeout(60)
    void seededPickleInZipMutations() {
        SeededFuzz.run(TorchZipFuzzTest.class, "pickleInZip", 3000, 0x706b_7a21L, this::pickleInZip);
    }
}
