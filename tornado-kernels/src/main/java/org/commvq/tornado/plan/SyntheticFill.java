package org.commvq.tornado.plan;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import org.commvq.cache.Workers;

import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.HalfFloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Seeded uniform contents for a range of a host array before its first copy to the device, for caches that stand in
 * for a long context in speed measurements. Chunks are filled in parallel, each from its own seeded stream, so a seed
 * gives the same contents on any thread count.
 */
final class SyntheticFill {
    private static final int CHUNK = 1 << 20;

    private SyntheticFill() {
    }

    static void floats(FloatArray a, long from, long to, float lo, float hi, long seed) {
        MemorySegment s = a.getSegment();
        chunks(from, to, seed, (r, i) -> s.setAtIndex(ValueLayout.JAVA_FLOAT, i, lo + (hi - lo) * r.nextFloat()));
    }

    static void halves(HalfFloatArray a, long from, long to, float lo, float hi, long seed) {
        MemorySegment s = a.getSegment();
        chunks(from, to, seed, (r, i) -> s.setAtIndex(ValueLayout.JAVA_SHORT, i,
                Float.floatToFloat16(lo + (hi - lo) * r.nextFloat())));
    }

    static void bytes(ByteArray a, long from, long to, long seed) {
        MemorySegment s = a.getSegment();
        chunks(from, to, seed, (r, i) -> s.set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt(256)));
    }

    static void ints(IntArray a, long from, long to, long seed) {
        MemorySegment s = a.getSegment();
        chunks(from, to, seed, (r, i) -> s.setAtIndex(ValueLayout.JAVA_INT, i, r.nextInt()));
    }

    private interface Element {
        void set(SplittableRandom random, long index);
    }

    private static void chunks(long from, long to, long seed, Element element) {
        long n = to - from;
        int chunks = (int) ((n + CHUNK - 1) / CHUNK);
        Workers.parallelFor(chunks, 1, c -> {
            SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + c);
            long end = Math.min(to, from + (long) (c + 1) * CHUNK);
            for (long i = from + (long) c * CHUNK; i < end; i++) {
                element.set(random, i);
            }
        });
    }
}
