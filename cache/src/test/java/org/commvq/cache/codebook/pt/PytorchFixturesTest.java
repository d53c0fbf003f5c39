package org.commvq.cache.codebook.pt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.commvq.cache.codebook.CodebookException;
import org.junit.jupiter.api.Test;

/**
 * The same reader and importer on files written by real PyTorch (tools/fixtures/make_pt_fixtures.py). Skips, with
 * the reason printed, until those files are in src/test/resources/pt/.
 */
class PytorchFixturesTest {

    private static Path fixture(String relative) {
        URL url = PytorchFixturesTest.class.getResource("/pt/" + relative);
        if (url == null) {
            String reason = "PyTorch fixture pt/" + relative + " is absent; run tools/fixtures/make_pt_fixtures.py";
            System.out.println("skipped: " + reason);
            assumeTrue(false, reason);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void officialKeyFilesImportToTheKeyCompressorLayout() throws IOException {
        Path expectedFile = fixture("keys/expected_theta.bin");
        OfficialKeyCodebooks k = OfficialCommVqImporter.importKeys(expectedFile.getParent(),
                OfficialCommVqImporterTest.shape(2, 2, 8));
        assertEquals(2, k.stages());
        assertEquals(4, k.pairs());
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(expectedFile)).order(ByteOrder.LITTLE_ENDIAN);
        float[] expected = new float[b.remaining() / 4];
        b.asFloatBuffer().get(expected);
        assertArrayEquals(expected, k.theta());
        assertEquals(0.0123, k.finalErrors()[1][1]);
        OfficialKeyCodebook one = OfficialCommVqImporter.readKeyFile(expectedFile.resolveSibling("000_0.pt"));
        assertArrayEquals(new double[] {0.5, 0.25}, one.stageLoss(), 1e-7);
    }

    @Test
    void aKeyFileWhoseCentersDoNotFollowFromThetaIsRefused() {
        Path bad = fixture("bad_keys/000_0.pt");
        CodebookException e = assertThrows(CodebookException.class, () -> OfficialCommVqImporter.readKeyFile(bad));
        assertTrue(e.getMessage().contains("steps[1].clustering_centers[4001][3]"), e.getMessage());
    }

    @Test
    void dtypesViewsParametersAndPlainData() {
        Map<?, ?> root = assertInstanceOf(Map.class, TorchZipReader.read(fixture("tensors.pt")));
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, tensor(root, "f32").floats());
        assertArrayEquals(new float[] {0, 0.25f, 0.5f, 0.75f}, tensor(root, "f16").floats());
        assertEquals(TorchDtype.FLOAT16, tensor(root, "f16").dtype());
        assertArrayEquals(new float[] {0, 0.25f, 0.5f, 0.75f}, tensor(root, "bf16").floats());
        assertEquals(TorchDtype.BFLOAT16, tensor(root, "bf16").dtype());
        assertArrayEquals(new float[] {-0.5f, 0.5f, 1.5f}, tensor(root, "f64").floats());
        assertArrayEquals(new long[] {-2, -1, 0, 1, 2}, tensor(root, "i64").longs());
        assertArrayEquals(new long[] {0, 1000, 2000}, tensor(root, "i32").longs());
        assertArrayEquals(new int[] {3, 2}, tensor(root, "transposed").shape());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, tensor(root, "transposed").floats());
        assertArrayEquals(new float[] {3, 4, 5, 6}, tensor(root, "slice").floats());
        assertEquals(2.5, tensor(root, "scalar").item());
        assertArrayEquals(new float[] {1, 1, 1}, tensor(root, "param").floats());
        Map<?, ?> nested = (Map<?, ?>) root.get("nested");
        List<?> list = (List<?>) nested.get("list");
        assertEquals(List.of(1L, 2.5, "x", true), list.subList(0, 4));
        assertNull(list.get(4));
        assertEquals(List.of(1L, 2L), nested.get("tuple"));
        assertEquals(1L << 40, nested.get("big"));
        assertEquals(-7L, nested.get("neg"));
    }

    private static TorchTensor tensor(Map<?, ?> root, String name) {
        return assertInstanceOf(TorchTensor.class, root.get(name), name);
    }

    @Test
    void theLegacyFormatIsNamedAndRefused() {
        Path legacy = fixture("legacy.pt");
        CodebookException e = assertThrows(CodebookException.class, () -> TorchZipReader.read(legacy));
        assertTrue(e.getMessage().contains("legacy (pre-1.6, non-zip)"), e.getMessage());
    }

    /** Protocol 2 writes Python-2 module names: builtins.eval arrives as __builtin__.eval. */
    @Test
    void hostilePicklesAreRefusedNamingTheGlobal() throws IOException {
        byte[] system = Files.readAllBytes(fixture("evil_os_system.pkl"));
        PickleException e = assertThrows(PickleException.class, () -> RestrictedUnpickler.load(system));
        assertTrue(e.getMessage().matches("pickle byte \\d+: refused global (posix|nt|os)\\.system .*"), e.getMessage());
        byte[] eval = Files.readAllBytes(fixture("evil_eval.pkl"));
        e = assertThrows(PickleException.class, () -> RestrictedUnpickler.load(eval));
        assertTrue(e.getMessage().matches("pickle byte \\d+: refused global (builtins|__builtin__)\\.eval .*"),
                e.getMessage());
        Path saved = fixture("evil_torch_save.pt");
        CodebookException c = assertThrows(CodebookException.class, () -> TorchZipReader.read(saved));
        assertTrue(c.getMessage().matches(".*data\\.pkl: pickle byte \\d+: refused global (posix|nt|os)\\.system .*"),
                c.getMessage());
    }
}
