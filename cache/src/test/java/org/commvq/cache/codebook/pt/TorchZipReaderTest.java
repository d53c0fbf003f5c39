package org.commvq.cache.codebook.pt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.commvq.cache.codebook.CodebookException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TorchZipReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsATensorDictWhateverTheFolderName() throws IOException {
        for (String folder : new String[] {"archive", "000_0", "my.checkpoint"}) {
            TorchCheckpointWriter w = new TorchCheckpointWriter();
            PickleBuilder p = new PickleBuilder().proto(2).emptyDict().put(0).mark().string("w");
            w.tensor(p, new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
            p.string("step").integer(3).setitems().stop();
            Path file = dir.resolve(folder + ".pt");
            w.write(file, folder, p.bytes());
            Map<?, ?> root = assertInstanceOf(Map.class, TorchZipReader.read(file));
            TorchTensor t = (TorchTensor) root.get("w");
            assertArrayEquals(new int[] {2, 3}, t.shape());
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, t.floats());
            assertEquals(3L, root.get("step"));
        }
    }

    @Test
    void refusesAHostilePickleInsideAnArchive() throws IOException {
        byte[] evil = new PickleBuilder().proto(2).emptyDict().put(0).string("x").global("posix", "system")
                .string("echo pwned").tuple(1).reduce().op('s').stop().bytes();
        Path file = dir.resolve("evil.pt");
        TorchCheckpointWriter.write(file, "archive", evil, Map.of());
        CodebookException e = assertThrows(CodebookException.class, () -> TorchZipReader.read(file));
        assertTrue(e.getMessage().startsWith(file + ": data.pkl: pickle byte "), e.getMessage());
        assertTrue(e.getMessage().contains("refused global posix.system"), e.getMessage());
    }

    @Test
    void refusesBlobsThatDoNotMatchTheirDeclaredSize() throws IOException {
        byte[] pickle = new PickleBuilder().proto(2)
                .tensor("FloatStorage", "0", 4, 0, new long[] {4}, new long[] {1}).stop().bytes();
        Path shortBlob = dir.resolve("short.pt");
        TorchCheckpointWriter.write(shortBlob, "archive", pickle, Map.of("0", new byte[12]));
        CodebookException e = assertThrows(CodebookException.class, () -> TorchZipReader.read(shortBlob));
        assertTrue(e.getMessage().contains("claims 4 float32 elements (16 bytes) but its blob has 12 bytes"),
                e.getMessage());
        Path longBlob = dir.resolve("long.pt");
        TorchCheckpointWriter.write(longBlob, "archive", pickle, Map.of("0", new byte[1 << 16]));
        e = assertThrows(CodebookException.class, () -> TorchZipReader.read(longBlob));
        assertTrue(e.getMessage().contains("exceeds the expected 16 bytes"), e.getMessage());
        Path missing = dir.resolve("missing.pt");
        TorchCheckpointWriter.write(missing, "archive", pickle, Map.of());
        e = assertThrows(CodebookException.class, () -> TorchZipReader.read(missing));
        assertTrue(e.getMessage().contains("has no blob archive/data/0"), e.getMessage());
    }

    @Test
    void refusesStorageKeysThatArePaths() throws IOException {
        byte[] pickle = new PickleBuilder().proto(2)
                .tensor("FloatStorage", "../../etc/passwd", 1, 0, new long[] {1}, new long[] {1}).stop().bytes();
        Path file = dir.resolve("path.pt");
        TorchCheckpointWriter.write(file, "archive", pickle, Map.of());
        CodebookException e = assertThrows(CodebookException.class, () -> TorchZipReader.read(file));
        assertTrue(e.getMessage().contains("is not a plain name"), e.getMessage());
    }

    @Test
    void namesLegacyAndNonZipFiles() throws IOException {
        Path legacy = dir.resolve("legacy.pt");
        Files.write(legacy, new PickleBuilder().proto(2).integer(1).stop().bytes());
        CodebookException e = assertThrows(CodebookException.class, () -> TorchZipReader.read(legacy));
        assertTrue(e.getMessage().contains("legacy (pre-1.6, non-zip) torch.save file"), e.getMessage());
        Path text = dir.resolve("notes.pt");
        Files.writeString(text, "hello");
        e = assertThrows(CodebookException.class, () -> TorchZipReader.read(text));
        assertEquals(text + ": not a PyTorch zip checkpoint", e.getMessage());
    }
}
