package org.commvq.tornado.plan;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.DoubleArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.HalfFloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.TornadoNativeArray;

/**
 * Every array a plan puts on the device is created here, after its bytes are counted against a budget; a
 * configuration that would not fit is refused with the numbers before anything is allocated. TornadoVM allocates
 * device buffers at the first execute, so refusing at plan construction means no device memory was touched. The
 * bytes counted are those of the native array TornadoVM copies (header included), so the report cannot drift from
 * what is really allocated.
 */
public final class DeviceMemoryBudget {
    private static final double MIB = 1024.0 * 1024.0;
    private final long budgetBytes;
    private final Map<String, Long> reservations = new LinkedHashMap<>();
    private long usedBytes;

    public DeviceMemoryBudget(long budgetBytes) {
        if (budgetBytes <= 0) {
            throw new IllegalArgumentException("device memory budget must be positive, got " + budgetBytes + " bytes");
        }
        this.budgetBytes = budgetBytes;
    }

    /** Bytes of a native array of n elements, as TornadoVM lays it out. */
    public static long arrayBytes(long elements, int elementBytes) {
        return elements * elementBytes + TornadoNativeArray.ARRAY_HEADER;
    }

    public FloatArray floats(String what, long n) {
        reserve(what, arrayBytes(checkedLength(what, n), Float.BYTES));
        return new FloatArray((int) n);
    }

    public HalfFloatArray halves(String what, long n) {
        reserve(what, arrayBytes(checkedLength(what, n), Short.BYTES));
        return new HalfFloatArray((int) n);
    }

    public DoubleArray doubles(String what, long n) {
        reserve(what, arrayBytes(checkedLength(what, n), Double.BYTES));
        return new DoubleArray((int) n);
    }

    public ByteArray bytes(String what, long n) {
        reserve(what, arrayBytes(checkedLength(what, n), Byte.BYTES));
        return new ByteArray((int) n);
    }

    public IntArray ints(String what, long n) {
        reserve(what, arrayBytes(checkedLength(what, n), Integer.BYTES));
        return new IntArray((int) n);
    }

    /** Counts bytes under a name, or refuses them when the total would pass the budget. */
    public void reserve(String what, long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException(what + ": negative size " + bytes);
        }
        if (reservations.containsKey(what)) {
            throw new IllegalArgumentException("device array '" + what + "' is already reserved");
        }
        if (bytes > budgetBytes - usedBytes) {
            throw new IllegalStateException(String.format(
                    "device memory budget exceeded: %s needs %,d bytes (%.1f MiB), %,d bytes (%.1f MiB) are already"
                            + " reserved in %d arrays, and the budget is %,d bytes (%.1f MiB): %,d bytes (%.1f MiB) short",
                    what, bytes, bytes / MIB, usedBytes, usedBytes / MIB, reservations.size(), budgetBytes,
                    budgetBytes / MIB, usedBytes + bytes - budgetBytes, (usedBytes + bytes - budgetBytes) / MIB));
        }
        reservations.put(what, bytes);
        usedBytes += bytes;
    }

    public long budgetBytes() {
        return budgetBytes;
    }

    public long usedBytes() {
        return usedBytes;
    }

    public long freeBytes() {
        return budgetBytes - usedBytes;
    }

    /** Reserved bytes by array name, in reservation order. */
    public Map<String, Long> reservations() {
        return Collections.unmodifiableMap(reservations);
    }

    private static long checkedLength(String what, long n) {
        if (n <= 0 || n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + ": a TornadoVM array holds 1 to " + Integer.MAX_VALUE
                    + " elements, asked for " + n);
        }
        return n;
    }
}
