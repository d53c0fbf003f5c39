package org.commvq.cache.codebook.pt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RestrictedUnpicklerTest {

    private static String refusal(byte[] pickle) {
        PickleException e = assertThrows(PickleException.class, () -> RestrictedUnpickler.load(pickle));
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void readsPlainData() {
        byte[] p = new PickleBuilder().proto(4).op(0x95).le(0, 8)
                .emptyDict().op(0x94)
                .mark()
                .shortString("name").string("héllo")
                .string("ints").mark().integer(7).integer(300).integer(-5).integer(1L << 40).op(0x8a).op(0).tuple(0)
                .string("float").binfloat(-2.5)
                .string("flags").op(0x88).op(0x89).op('N').tuple(3)
                .string("list").emptyList().put(1).mark().integer(1).integer(2).op('e').integer(3).op('a')
                .string("same").get(1)
                .op(0x8c).op(1).raw((byte) 'u').op(0x8d).le(2, 8).raw((byte) 'v', (byte) 'w')
                .string("ordered").op(0x8c).op(11).raw("collections".getBytes(StandardCharsets.US_ASCII))
                .op(0x8c).op(11).raw("OrderedDict".getBytes(StandardCharsets.US_ASCII)).op(0x93).emptyTuple().reduce()
                .mark().string("a").integer(1).setitems()
                .string("one").integer(1).tuple(1)
                .setitems()
                .stop().bytes();
        Map<?, ?> d = assertInstanceOf(Map.class, RestrictedUnpickler.load(p));
        assertEquals("héllo", d.get("name"));
        assertEquals(List.of(7L, 300L, -5L, 1L << 40, 0L), d.get("ints"));
        assertEquals(-2.5, d.get("float"));
        List<?> flags = (List<?>) d.get("flags");
        assertEquals(true, flags.get(0));
        assertEquals(false, flags.get(1));
        assertNull(flags.get(2));
        assertEquals(List.of(1L, 2L, 3L), d.get("list"));
        assertSame(d.get("list"), d.get("same"), "memo returns the same object");
        assertEquals("vw", d.get("u"));
        assertEquals(Map.of("a", 1L), d.get("ordered"));
        assertEquals(List.of(1L), d.get("one"));
    }

    @Test
    void negativeLong1IsTwosComplement() {
        byte[] p = new PickleBuilder().proto(2).op(0x8a).op(2).raw((byte) 0x00, (byte) 0xff).stop().bytes();
        assertEquals(-256L, RestrictedUnpickler.load(p));
    }

    /** pickle.dumps(obj, protocol=2) of an object whose __reduce__ is (os.system, ('echo pwned',)), on Linux. */
    @Test
    void refusesOsSystemAsCPythonPicklesIt() {
        byte[] p = new PickleBuilder().proto(2).global("posix", "system").put(0).string("echo pwned").put(1)
                .tuple(1).put(2).reduce().put(3).stop().bytes();
        String m = refusal(p);
        assertTrue(m.startsWith("pickle byte 2: refused global posix.system"), m);
    }

    @Test
    void refusesDangerousGlobalsWhateverTheOpcode() {
        assertTrue(refusal(new PickleBuilder().proto(2).global("os", "system").stop().bytes())
                .contains("refused global os.system"));
        assertTrue(refusal(new PickleBuilder().proto(2).global("builtins", "eval").string("1+1").tuple(1).reduce()
                .stop().bytes()).contains("refused global builtins.eval"));
        byte[] stackGlobal = new PickleBuilder().proto(4).shortString("subprocess").shortString("Popen").op(0x93)
                .stop().bytes();
        assertTrue(refusal(stackGlobal).contains("refused global subprocess.Popen"));
        assertTrue(refusal(new PickleBuilder().proto(2).global("torch", "load").stop().bytes())
                .contains("refused global torch.load"));
        assertTrue(refusal(new PickleBuilder().proto(2).global("torch._utils", "_rebuild_from_type_v2").stop()
                .bytes()).contains("refused global torch._utils._rebuild_from_type_v2"));
    }

    @Test
    void refusesObjectBuildingOpcodesByName() {
        assertTrue(refusal(new PickleBuilder().proto(2).mark().raw("ios\nsystem\n".getBytes(StandardCharsets.US_ASCII))
                .stop().bytes()).contains("refused opcode INST (0x69)"));
        assertTrue(refusal(new PickleBuilder().proto(2).mark().op('o').stop().bytes())
                .contains("refused opcode OBJ (0x6f)"));
        assertTrue(refusal(new PickleBuilder().proto(2).emptyTuple().emptyTuple().op(0x81).stop().bytes())
                .contains("refused opcode NEWOBJ (0x81)"));
        assertTrue(refusal(new PickleBuilder().proto(2).op(0x82).op(1).stop().bytes())
                .contains("refused opcode EXT1 (0x82)"));
        assertTrue(refusal(new PickleBuilder().proto(4).op(0x92).stop().bytes())
                .contains("refused opcode NEWOBJ_EX (0x92)"));
        assertTrue(refusal(new PickleBuilder().proto(2).raw("P1\n".getBytes(StandardCharsets.US_ASCII)).stop().bytes())
                .contains("refused opcode PERSID (0x50)"));
        assertTrue(refusal(new PickleBuilder().proto(2).raw("S'x'\n".getBytes(StandardCharsets.US_ASCII)).stop()
                .bytes()).contains("refused opcode STRING (0x53)"));
        assertTrue(refusal(new PickleBuilder().proto(2).op(0xff).bytes()).contains("unknown opcode 0xff"));
    }

    @Test
    void refusesReduceOnAnythingButTheTensorRebuilders() {
        String onStorage = refusal(new PickleBuilder().proto(2).global("torch", "FloatStorage").emptyTuple().reduce()
                .stop().bytes());
        assertTrue(onStorage.contains("refused REDUCE on torch.FloatStorage"), onStorage);
        assertTrue(refusal(new PickleBuilder().proto(2).string("x").emptyTuple().reduce().stop().bytes())
                .contains("refused REDUCE on a String"));
        assertTrue(refusal(new PickleBuilder().proto(2).global("collections", "OrderedDict").string("k").tuple(1)
                .reduce().stop().bytes()).contains("OrderedDict with constructor arguments"));
    }

    @Test
    void refusesBuildWithStateAndPersistentIdsOutsideAnArchive() {
        assertTrue(refusal(new PickleBuilder().proto(2).emptyDict().emptyDict().string("k").integer(1).op('s')
                .op('b').stop().bytes()).contains("refused BUILD"));
        byte[] emptyBuild = new PickleBuilder().proto(2).emptyDict().op('N').op('b').stop().bytes();
        assertEquals(Map.of(), RestrictedUnpickler.load(emptyBuild));
        byte[] tensor = new PickleBuilder().proto(2).tensor("FloatStorage", "0", 4, 0, new long[] {4}, new long[] {1})
                .stop().bytes();
        assertTrue(refusal(tensor).contains("refused BINPERSID"));
    }

    @Test
    void capsAndTruncationsAreRefusedNotCrashed() {
        assertTrue(refusal(new PickleBuilder().proto(2).op('X').le(RestrictedUnpickler.MAX_STRING_BYTES + 1L, 4)
                .bytes()).contains("runs past the end"));
        PickleBuilder deep = new PickleBuilder().proto(2);
        for (int i = 0; i <= RestrictedUnpickler.MAX_MARKS; i++) {
            deep.mark();
        }
        assertTrue(refusal(deep.bytes()).contains("nested MARKs"));
        assertTrue(refusal(new PickleBuilder().proto(2).integer(1).op('r').le(RestrictedUnpickler.MAX_MEMO, 4).stop()
                .bytes()).contains("memo exceeds"));
        assertTrue(refusal(new PickleBuilder().proto(2).op('h').op(3).stop().bytes()).contains("never stored"));
        assertTrue(refusal(new PickleBuilder().proto(2).emptyList().bytes()).contains("ends without STOP"));
        assertTrue(refusal(new PickleBuilder().proto(2).stop().bytes()).contains("stack underflow"));
        assertTrue(refusal(new PickleBuilder().proto(2).mark().op('a').stop().bytes()).contains("stack underflow"));
        assertTrue(refusal(new PickleBuilder().proto(9).stop().bytes()).contains("protocol 9"));
        assertTrue(refusal(new PickleBuilder().proto(2).emptyDict().emptyList().integer(1).op('s').stop().bytes())
                .contains("refused dict key"));
        assertTrue(refusal(new PickleBuilder().proto(2).raw((byte) 'X').le(2, 4).raw((byte) 0xc3, (byte) 0x28).stop()
                .bytes()).contains("not valid UTF-8"));
        assertTrue(refusal(new PickleBuilder().proto(2).op('c').raw("os\n".getBytes(StandardCharsets.US_ASCII))
                .bytes()).contains("GLOBAL name"));
    }

    @Test
    void tensorsComeFromTheLoaderAndStayInsideTheirStorage() {
        byte[] storageBytes = new byte[24];
        for (int i = 0; i < 6; i++) {
            int bits = Float.floatToIntBits(i + 0.5f);
            for (int b = 0; b < 4; b++) {
                storageBytes[4 * i + b] = (byte) (bits >>> (8 * b));
            }
        }
        TorchStorage storage = new TorchStorage(TorchDtype.FLOAT32, "0", 6, storageBytes);
        RestrictedUnpickler.StorageLoader loader = (dtype, key, numel) -> {
            assertEquals(TorchDtype.FLOAT32, dtype);
            return storage;
        };
        byte[] transposed = new PickleBuilder().proto(2)
                .tensor("FloatStorage", "0", 6, 0, new long[] {3, 2}, new long[] {1, 3}).stop().bytes();
        TorchTensor t = assertInstanceOf(TorchTensor.class, RestrictedUnpickler.load(transposed, loader));
        assertArrayEquals(new int[] {3, 2}, t.shape());
        assertArrayEquals(new float[] {0.5f, 3.5f, 1.5f, 4.5f, 2.5f, 5.5f}, t.floats());

        byte[] offset = new PickleBuilder().proto(2)
                .tensor("FloatStorage", "0", 6, 5, new long[] {}, new long[] {}).stop().bytes();
        assertEquals(5.5, ((TorchTensor) RestrictedUnpickler.load(offset, loader)).item());

        byte[] outside = new PickleBuilder().proto(2)
                .tensor("FloatStorage", "0", 6, 1, new long[] {2, 3}, new long[] {3, 1}).stop().bytes();
        PickleException e = assertThrows(PickleException.class, () -> RestrictedUnpickler.load(outside, loader));
        assertTrue(e.getMessage().contains("reaches element 6 of a storage of 6"), e.getMessage());
    }
}
