package org.commvq.tornado.plan;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
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
 * what is really allocated. Host memory comes from {@link HostArrayPool}; {@link #recycle} gives it back.
 */
public final class DeviceMemoryBudget {
    private static final double MIB = 1024.0 * 1024.0;
    private final long budgetBytes;
    private final Map<String, Long> reservations = new LinkedHashMap<>();
    private final List<MemorySegment> segments = new ArrayList<>();
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
        long bytes = arrayBytes(checkedLength(what, n), Float.BYTES);
        reserve(what, bytes);
        return FloatArray.fromSegmentShallow(take(bytes));
    }

    public HalfFloatArray halves(String what, long n) {
        long bytes = arrayBytes(checkedLength(what, n), Short.BYTES);
        reserve(what, bytes);
        return HalfFloatArray.fromSegmentShallow(take(bytes));
    }

    public DoubleArray doubles(String what, long n) {
        long bytes = arrayBytes(checkedLength(what, n), Double.BYTES);
        reserve(what, bytes);
        return DoubleArray.fromSegmentShallow(take(bytes));
    }

    public ByteArray bytes(String what, long n) {
        long bytes = arrayBytes(checkedLength(what, n), Byte.BYTES);
        reserve(what, bytes);
        return ByteArray.fromSegmentShallow(take(bytes));
    }

    public IntArray ints(String what, long n) {
        long bytes = arrayBytes(checkedLength(what, n), Integer.BYTES);
        reserve(what, bytes);
        return IntArray.fromSegmentShallow(take(bytes));
    }

    /**
     * Host arrays whose device copies are counted elsewhere, once per graph that copies them in (see
     * {@link DecodeStep#perGraphBytes}).
     */
    FloatArray perGraphFloats(int n) {
        return FloatArray.fromSegmentShallow(take(arrayBytes(checkedLength("per-graph floats", n), Float.BYTES)));
    }

    IntArray perGraphInts(int n) {
        return IntArray.fromSegmentShallow(take(arrayBytes(checkedLength("per-graph ints", n), Integer.BYTES)));
    }

    /**
     * Gives the host memory of every array made here back to {@link HostArrayPool}, once the plan that used them is
     * closed; the arrays must not be used afterwards.
     */
    public void recycle() {
        HostArrayPool.giveBack(segments);
        segments.clear();
    }

    private MemorySegment take(long bytes) {
        MemorySegment segment = HostArrayPool.take(bytes);
        segments.add(segment);
        return segment;
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
