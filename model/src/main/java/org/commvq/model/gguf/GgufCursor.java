package org.commvq.model.gguf;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.commvq.model.ModelFormatException;
import org.commvq.model.tensor.LittleEndian;

/**
 * Reads little-endian values from the mapped file, checking every read against the end of the file first so that a
 * truncated or lying file ends in a {@link ModelFormatException} naming what was being read, never in an
 * IndexOutOfBoundsException.
 */
final class GgufCursor {
    private final MemorySegment file;
    private final Path path;
    private long position;

    GgufCursor(MemorySegment file, Path path) {
        this.file = file;
        this.path = path;
    }

    long position() {
        return position;
    }

    long size() {
        return file.byteSize();
    }

    long remaining() {
        return file.byteSize() - position;
    }

    byte readByte(String what) {
        require(1, what);
        return file.get(LittleEndian.BYTE, position++);
    }

    short readShort(String what) {
        require(2, what);
        short v = file.get(LittleEndian.SHORT, position);
        position += 2;
        return v;
    }

    int readInt(String what) {
        require(4, what);
        int v = file.get(LittleEndian.INT, position);
        position += 4;
        return v;
    }

    long readLong(String what) {
        require(8, what);
        long v = file.get(LittleEndian.LONG, position);
        position += 8;
        return v;
    }

    /**
     * Reads a uint64 count of items that each take at least {@code minItemBytes} in the file, refusing counts the rest
     * of the file cannot hold or that exceed {@code cap}, before the caller allocates anything for them.
     */
    int readCount(String what, long minItemBytes, long cap) {
        long at = position;
        long count = readLong(what);
        if (count < 0 || count > cap) {
            throw error(at, what + " is " + Long.toUnsignedString(count) + ", more than the limit of " + cap);
        }
        if (minItemBytes > 0 && count > remaining() / minItemBytes) {
            throw error(at, what + " is " + count + ", but " + count + " items of at least " + minItemBytes
                    + " bytes cannot fit in the " + remaining() + " bytes left in the file");
        }
        return (int) count;
    }

    /** A GGUF string: a uint64 byte length, then that many bytes of UTF-8. */
    String readString(String what, long maxBytes) {
        int length = readCount("length of " + what, 1, maxBytes);
        byte[] bytes = new byte[length];
        MemorySegment.copy(file, LittleEndian.BYTE, position, bytes, 0, length);
        position += length;
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Copies count fixed-size values into a new primitive array; the count was bounded by {@link #readCount}. */
    byte[] readBytes(int count, String what) {
        require(count, what);
        byte[] out = new byte[count];
        MemorySegment.copy(file, LittleEndian.BYTE, position, out, 0, count);
        position += count;
        return out;
    }

    short[] readShorts(int count, String what) {
        require(2L * count, what);
        short[] out = new short[count];
        MemorySegment.copy(file, LittleEndian.SHORT, position, out, 0, count);
        position += 2L * count;
        return out;
    }

    int[] readInts(int count, String what) {
        require(4L * count, what);
        int[] out = new int[count];
        MemorySegment.copy(file, LittleEndian.INT, position, out, 0, count);
        position += 4L * count;
        return out;
    }

    long[] readLongs(int count, String what) {
        require(8L * count, what);
        long[] out = new long[count];
        MemorySegment.copy(file, LittleEndian.LONG, position, out, 0, count);
        position += 8L * count;
        return out;
    }

    float[] readFloats(int count, String what) {
        require(4L * count, what);
        float[] out = new float[count];
        MemorySegment.copy(file, LittleEndian.FLOAT, position, out, 0, count);
        position += 4L * count;
        return out;
    }

    double[] readDoubles(int count, String what) {
        require(8L * count, what);
        double[] out = new double[count];
        MemorySegment.copy(file, LittleEndian.DOUBLE, position, out, 0, count);
        position += 8L * count;
        return out;
    }

    ModelFormatException error(long at, String problem) {
        return new ModelFormatException(path, problem + " (at byte " + at + ")");
    }

    private void require(long bytes, String what) {
        if (bytes > remaining()) {
            throw new ModelFormatException(path, "truncated file: " + what + " needs " + bytes + " bytes at byte "
                    + position + ", but the file ends at byte " + file.byteSize());
        }
    }
}
