package org.commvq.cache.fuzz;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Seeded mutations of valid files, for the fuzz runs inside the normal build where Jazzer does not mutate: what a
 * corrupt or hostile file looks like. Besides blind bit flips, truncations and splices it edits the fields that
 * readers size allocations by: any 4- or 8-byte little-endian value in the seed that could be a length, count or
 * offset (at most the file's size) is a candidate for an extreme replacement.
 */
final class Mutator {
    private static final long[] EXTREMES = {0, 1, 2, 3, 4, 7, 8, 31, 32, 33, 255, 256, 0x7FFF, 0xFFFF, 0x7FFF_FFFFL,
        0x8000_0000L, 0xFFFF_FFFFL, 1L << 32, 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE, -1, -2};

    private Mutator() {
    }

    /** One to four stacked mutations of {@code seed}; splices borrow from {@code pool}. */
    static byte[] mutate(byte[] seed, List<byte[]> pool, Random r) {
        byte[] b = seed.clone();
        for (int steps = 1 + r.nextInt(4); steps > 0; steps--) {
            b = step(b, pool, r);
        }
        return b;
    }

    private static byte[] step(byte[] b, List<byte[]> pool, Random r) {
        if (b.length < 8) {
            return r.nextBoolean() ? insert(b, r) : splice(b, pool, r);
        }
        return switch (r.nextInt(9)) {
            case 0 -> flipBit(b, r);
            case 1 -> setByte(b, r);
            case 2, 3 -> editLengthField(b, r, r.nextBoolean() ? 8 : 4);
            case 4 -> writeField(b, r.nextInt(b.length - 7), 8, extreme(b, r));
            case 5 -> Arrays.copyOf(b, r.nextInt(b.length));
            case 6 -> delete(b, r);
            case 7 -> insert(b, r);
            default -> splice(b, pool, r);
        };
    }

    private static byte[] flipBit(byte[] b, Random r) {
        b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
        return b;
    }

    private static byte[] setByte(byte[] b, Random r) {
        int[] values = {0, 1, 0x7F, 0x80, 0xFF, '\n', '{', '"', '.', '(', ')', 'X', 'q', 'h', 0x94, 0x8c};
        b[r.nextInt(b.length)] = (byte) values[r.nextInt(values.length)];
        return b;
    }

    /** Rewrites a value that reads as a plausible size or offset (1 up to the file size), the field readers trust. */
    private static byte[] editLengthField(byte[] b, Random r, int width) {
        int start = r.nextInt(b.length - width + 1);
        for (int i = 0; i <= b.length - width; i++) {
            int at = (start + i) % (b.length - width + 1);
            long v = read(b, at, width);
            if (v >= 1 && v <= b.length) {
                long replacement = switch (r.nextInt(4)) {
                    case 0 -> v + 1 + r.nextInt(16);
                    case 1 -> v - 1 - r.nextInt((int) Math.min(v, 16));
                    case 2 -> b.length + r.nextInt(64) - 32;
                    default -> extreme(b, r);
                };
                return writeField(b, at, width, replacement);
            }
        }
        return flipBit(b, r);
    }

    private static long extreme(byte[] b, Random r) {
        return r.nextInt(4) == 0 ? b.length + r.nextInt(9) - 4 : EXTREMES[r.nextInt(EXTREMES.length)];
    }

    private static long read(byte[] b, int at, int width) {
        long v = 0;
        for (int i = 0; i < width; i++) {
            v |= (b[at + i] & 0xFFL) << (8 * i);
        }
        return v;
    }

    private static byte[] writeField(byte[] b, int at, int width, long value) {
        for (int i = 0; i < width; i++) {
            b[at + i] = (byte) (value >>> (8 * i));
        }
        return b;
    }

    private static byte[] delete(byte[] b, Random r) {
        int from = r.nextInt(b.length);
        int to = Math.min(b.length, from + 1 + r.nextInt(32));
        byte[] out = new byte[b.length - (to - from)];
        System.arraycopy(b, 0, out, 0, from);
        System.arraycopy(b, to, out, from, b.length - to);
        return out;
    }

    private static byte[] insert(byte[] b, Random r) {
        byte[] chunk = new byte[1 + r.nextInt(16)];
        if (r.nextBoolean()) {
            r.nextBytes(chunk);
        } else {
            Arrays.fill(chunk, (byte) (r.nextBoolean() ? 0 : 0xFF));
        }
        return insertAt(b, r.nextInt(b.length + 1), chunk);
    }

    /** A chunk of another file (or of this one) dropped in, as when two files are concatenated or interleaved. */
    private static byte[] splice(byte[] b, List<byte[]> pool, Random r) {
        byte[] donor = pool.get(r.nextInt(pool.size()));
        if (donor.length == 0) {
            return b;
        }
        int from = r.nextInt(donor.length);
        int length = Math.min(donor.length - from, 1 + r.nextInt(64));
        byte[] chunk = Arrays.copyOfRange(donor, from, from + length);
        int at = r.nextInt(b.length + 1);
        if (r.nextBoolean() && at + length <= b.length) {
            System.arraycopy(chunk, 0, b, at, length);
            return b;
        }
        return insertAt(b, at, chunk);
    }

    private static byte[] insertAt(byte[] b, int at, byte[] chunk) {
        byte[] out = new byte[b.length + chunk.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(chunk, 0, out, at, chunk.length);
        System.arraycopy(b, at, out, at + chunk.length, b.length - at);
        return out;
    }
}
