package org.commvq.model.fuzz;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.commvq.model.ModelFormatException;
import org.commvq.model.gguf.GgufFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 100-byte GGUF that claims more than it holds — 2^40 tensors, a 2^40-byte string, an array of 2^40 elements, a
 * tensor far past the end — is refused with a message naming the claim, before anything is allocated for it: the
 * whole open stays under a megabyte of heap.
 */
class GgufBoundsTest {
    private static final long TERA = 1L << 40;
    private static final long HEAP_LIMIT = 1 << 20;
    private static final int GGUF_MAGIC = 0x46554747;
    private static final int STRING = 8;
    private static final int ARRAY = 9;
    private static final int F32 = 0;

    @TempDir
    Path dir;

    @Test
    void tensorCount() throws IOException {
        refused(header(TERA, 0), "tensor count is " + TERA, "limit");
        refused(header(1 << 19, 0), "tensor count is " + (1 << 19), "cannot fit");
    }

    @Test
    void metadataCount() throws IOException {
        refused(header(0, TERA), "metadata entry count is " + TERA);
    }

    @Test
    void keyAndStringLengths() throws IOException {
        refused(header(0, 1).putLong(TERA), "length of key", String.valueOf(TERA));
        refused(key(header(0, 1), "k").putInt(STRING).putLong(TERA), "metadata 'k'", String.valueOf(TERA));
        refused(key(header(0, 1), "k").putInt(STRING).putLong(1 << 27), "cannot fit");
    }

    @Test
    void arrayLengths() throws IOException {
        refused(key(header(0, 1), "a").putInt(ARRAY).putInt(STRING).putLong(TERA), "array 'a'", String.valueOf(TERA));
        refused(key(header(0, 1), "a").putInt(ARRAY).putInt(5).putLong(1 << 22), "array 'a'", "cannot fit");
    }

    @Test
    void nestingDepth() throws IOException {
        ByteBuffer b = key(header(0, 1, 160), "n").putInt(ARRAY);
        for (int depth = 0; depth < 9; depth++) {
            b.putInt(ARRAY).putLong(1);
        }
        refused(b, "nests arrays deeper than 8");
    }

    @Test
    void tensorBeyondTheFile() throws IOException {
        refused(tensor(header(1, 0), new long[] {TERA}, 0), "extends past the end of the file");
        refused(tensor(header(1, 0), new long[] {8}, TERA), "extends past the end of the file");
        refused(tensor(header(1, 0), new long[] {1L << 20, 1L << 20, 1L << 20, 1L << 20}, 0), "64-bit");
    }

    private static ByteBuffer header(long tensors, long metadata) {
        return header(tensors, metadata, 100);
    }

    private static ByteBuffer header(long tensors, long metadata, int fileBytes) {
        return ByteBuffer.allocate(fileBytes).order(ByteOrder.LITTLE_ENDIAN).putInt(GGUF_MAGIC).putInt(3)
                .putLong(tensors).putLong(metadata);
    }

    private static ByteBuffer key(ByteBuffer b, String key) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        return b.putLong(k.length).put(k);
    }

    private static ByteBuffer tensor(ByteBuffer b, long[] dims, long offset) {
        key(b, "t").putInt(dims.length);
        for (long d : dims) {
            b.putLong(d);
        }
        return b.putInt(F32).putLong(offset);
    }

    /** Writes the 100 bytes and expects a prompt refusal that names what was claimed. */
    private void refused(ByteBuffer content, String... mustContain) throws IOException {
        Path valid = Files.write(dir.resolve("valid.gguf"), header(0, 0).array());
        GgufFile.open(valid).close();
        Path file = Files.write(dir.resolve("claims.gguf"), content.array());
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> GgufFile.open(file).close());
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < HEAP_LIMIT, "allocated " + allocated + " bytes before refusing: " + e.getMessage());
        for (String s : mustContain) {
            assertTrue(e.getMessage().contains(s), "'" + s + "' missing from: " + e.getMessage());
        }
        assertNull(e.getCause(), "refused by the catch-all net, not by a check");
    }
}
