package org.commvq.cache.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import org.commvq.cache.codebook.CodebookException;
import org.commvq.cache.codebook.pt.PickleException;
import org.commvq.cache.codebook.pt.RestrictedUnpickler;
import org.commvq.cache.codebook.pt.TorchZipReader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pickles and checkpoints that claim more than they hold — a 2^40-byte string or frame, a memo index of 2^32, a
 * thousand nested MARKs, a storage of 2^31 elements backed by 24 bytes — are refused with a message naming the
 * claim, before anything of that size is allocated.
 */
class PickleBoundsTest {
    private static final long TERA = 1L << 40;
    private static final long HEAP_LIMIT = 1 << 20;
    private static final int STOP = '.';
    private static final int NONE = 'N';
    private static final int MARK = '(';
    /** The pickle of tensors.pt around storage "0": 'cpu', BINPUT 6, then BININT1 6, its element count. */
    private static final byte[] STORAGE_0_NUMEL = HexFormat.of().parseHex("580300000063707571064b06");

    @TempDir
    Path dir;

    @BeforeEach
    void loadTheReader() {
        RestrictedUnpickler.load(bytes(0x80, 2, NONE, STOP));
    }

    @Test
    void lengthsBeyondThePickle() {
        refused(concat(bytes(0x80, 4, 0x8d), le(TERA, 8), bytes(STOP)), "length " + TERA, "runs past the end");
        refused(concat(bytes(0x80, 2, 'X'), le(Integer.MAX_VALUE, 4), bytes(STOP)), "runs past the end");
        refused(concat(bytes(0x80, 4, 0x95), le(TERA, 8), bytes(NONE, STOP)), "runs past the end");
        refused(bytes(0x80, 2, 0x8a, 200, STOP), "integer of 200 bytes");
    }

    @Test
    void stringOverTheCapThatIsReallyThere() {
        int n = RestrictedUnpickler.MAX_STRING_BYTES + 1;
        byte[] pickle = concat(bytes(0x80, 2, 'X'), le(n, 4), new byte[n], bytes(STOP));
        Refusal.of(PickleException.class, () -> RestrictedUnpickler.load(pickle))
                .assertPrompt(HEAP_LIMIT, "string of " + n + " bytes exceeds " + RestrictedUnpickler.MAX_STRING_BYTES);
    }

    @Test
    void memoIndexAndNesting() {
        refused(concat(bytes(0x80, 2, NONE, 'r'), le(0xFFFF_FFFFL, 4), bytes(STOP)), "memo exceeds");
        byte[] marks = new byte[RestrictedUnpickler.MAX_MARKS + 3];
        Arrays.fill(marks, (byte) MARK);
        refused(concat(bytes(0x80, 2), marks, bytes(STOP)), "nested MARKs");
    }

    @Test
    void stackDepth() {
        byte[] nones = new byte[RestrictedUnpickler.MAX_STACK + 1];
        Arrays.fill(nones, (byte) NONE);
        Refusal.of(PickleException.class, () -> RestrictedUnpickler.load(concat(bytes(0x80, 2), nones, bytes(STOP))))
                .assertPrompt(8 << 20, "stack exceeds " + RestrictedUnpickler.MAX_STACK);
    }

    @Test
    void storageClaimingMoreThanItsBlob() throws IOException {
        byte[] pickle = SeededFuzz.corpus(TorchZipFuzzTest.class, "pickleInZip").stream()
                .filter(p -> indexOf(p, STORAGE_0_NUMEL) >= 0).findFirst().orElseThrow();
        int at = indexOf(pickle, STORAGE_0_NUMEL) + STORAGE_0_NUMEL.length - 2;
        byte[] claim = concat(Arrays.copyOf(pickle, at), bytes('J'), le(Integer.MAX_VALUE, 4),
                Arrays.copyOfRange(pickle, at + 2, pickle.length));
        Path file = Files.write(dir.resolve("claims.pt"), Checkpoints.wrap(claim));
        Refusal.of(CodebookException.class, () -> TorchZipReader.read(file)).assertPrompt(4 << 20,
                "storage 0 claims " + Integer.MAX_VALUE + " float32 elements", "its blob has 24 bytes");
    }

    /**
     * A 1.6 KB checkpoint whose tensor of 2^28 floats views one stored float through a zero stride: decoding it took
     * 1 GB of heap (an 8 GB claim fits the same bytes) before views larger than their storage were refused.
     */
    @Test
    void expandedViewLargerThanItsStorage() throws IOException {
        byte[] pickle = SeededFuzz.corpus(TorchZipFuzzTest.class, "pickleInZip").stream()
                .filter(p -> indexOf(p, "broadcast".getBytes(StandardCharsets.US_ASCII)) >= 0).findFirst()
                .orElseThrow();
        Path file = Files.write(dir.resolve("expanded.pt"), Checkpoints.wrap(pickle));
        Refusal.of(CodebookException.class, () -> TorchZipReader.read(file)).assertPrompt(4 << 20,
                "tensor of " + (1 << 28) + " elements views a storage of 1");
    }

    private static void refused(byte[] pickle, String... mustContain) {
        Refusal.of(PickleException.class, () -> RestrictedUnpickler.load(pickle)).assertPrompt(HEAP_LIMIT, mustContain);
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static byte[] le(long value, int width) {
        byte[] b = new byte[width];
        for (int i = 0; i < width; i++) {
            b[i] = (byte) (value >>> (8 * i));
        }
        return b;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
