package org.commvq.cache.vqkv;

import java.util.Arrays;
import org.commvq.cache.Workers;

/**
 * One layer of a VQKV cache. Tokens live in three regions by position: the first {@code sinks} tokens (fp16), the
 * compressed middle (packed indices), and the recent window (fp16). A token that brings the window to
 * 2·{@code local} tokens sends the window's oldest {@code local} to the middle as one batch, so the window always
 * spans [local, 2·local) once it has filled, and the split depends only on the token count, never on how the tokens
 * were chunked into calls. Keys are kept pre-RoPE in every region; attention rotates them to their positions.
 */
final class VqkvLayer {
    private final int kvHeads;
    private final int headDim;
    private final int kvDim;
    private final int sinks;
    private final int local;
    private final int capacity;
    private final ResidualCodebook keyBook;
    private final ResidualCodebook valueBook;
    private final int keyBytes;
    private final int valueBytes;
    private final short[] sinkKeys;
    private final short[] sinkValues;
    private short[] windowKeys = new short[0];
    private short[] windowValues = new short[0];
    private byte[] keyCodes = new byte[0];
    private byte[] valueCodes = new byte[0];
    private int length;
    private int compressed;
    private int window;

    VqkvLayer(int kvHeads, int headDim, int sinks, int local, int capacity, ResidualCodebook keyBook,
              ResidualCodebook valueBook) {
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.kvDim = kvHeads * headDim;
        this.sinks = sinks;
        this.local = local;
        this.capacity = capacity;
        this.keyBook = keyBook;
        this.valueBook = valueBook;
        this.keyBytes = (kvHeads * keyBook.bits() + 7) / 8;
        this.valueBytes = (kvHeads * valueBook.bits() + 7) / 8;
        this.sinkKeys = new short[sinks * kvDim];
        this.sinkValues = new short[sinks * kvDim];
    }

    int length() {
        return length;
    }

    int sinkTokens() {
        return Math.min(length, sinks);
    }

    int compressedTokens() {
        return compressed;
    }

    int windowTokens() {
        return window;
    }

    /** Stores one token: pre-RoPE key row and value row, all KV heads. */
    void append(float[] k, int kOff, float[] v, int vOff) {
        if (length < sinks) {
            toHalf(k, kOff, sinkKeys, length * kvDim);
            toHalf(v, vOff, sinkValues, length * kvDim);
        } else {
            if ((window + 1) * kvDim > windowKeys.length) {
                int rows = Math.min(2 * local, Math.max(window + 1, Math.max(64, window * 2)));
                windowKeys = Arrays.copyOf(windowKeys, rows * kvDim);
                windowValues = Arrays.copyOf(windowValues, rows * kvDim);
            }
            toHalf(k, kOff, windowKeys, window * kvDim);
            toHalf(v, vOff, windowValues, window * kvDim);
            window++;
            if (window == 2 * local) {
                compressOldest(local);
            }
        }
        length++;
    }

    private void toHalf(float[] x, int off, short[] dst, int at) {
        for (int c = 0; c < kvDim; c++) {
            dst[at + c] = Float.floatToFloat16(x[off + c]);
        }
    }

    private void compressOldest(int count) {
        int needed = compressed + count;
        if ((long) needed * keyBytes > keyCodes.length || (long) needed * valueBytes > valueCodes.length) {
            int rows = Math.min(capacity, Math.max(needed, 2 * compressed));
            keyCodes = Arrays.copyOf(keyCodes, rows * keyBytes);
            valueCodes = Arrays.copyOf(valueCodes, rows * valueBytes);
        }
        int base = compressed;
        Workers.parallelFor(count, 4, i -> {
            float[] x = new float[headDim];
            int[] keyIdx = new int[keyBook.stages()];
            int[] valueIdx = new int[valueBook.stages()];
            for (int g = 0; g < kvHeads; g++) {
                int at = i * kvDim + g * headDim;
                fromHalf(windowKeys, at, x, 0);
                keyBook.encode(x, 0, keyIdx, 0);
                pack(keyCodes, (long) (base + i) * keyBytes * 8 + (long) g * keyBook.bits(), keyBook, keyIdx);
                fromHalf(windowValues, at, x, 0);
                valueBook.encode(x, 0, valueIdx, 0);
                pack(valueCodes, (long) (base + i) * valueBytes * 8 + (long) g * valueBook.bits(), valueBook, valueIdx);
            }
        });
        System.arraycopy(windowKeys, count * kvDim, windowKeys, 0, (window - count) * kvDim);
        System.arraycopy(windowValues, count * kvDim, windowValues, 0, (window - count) * kvDim);
        window -= count;
        compressed += count;
    }

    private static void pack(byte[] codes, long bit, ResidualCodebook book, int[] idx) {
        for (int s = 0; s < idx.length; s++) {
            int w = book.indexBits(s);
            PackedIndices.write(codes, bit, w, idx[s]);
            bit += w;
        }
    }

    /** Pre-RoPE key of token t, KV head g, into dst[at..at+headDim). */
    void decodeKey(int g, int t, float[] dst, int at, int[] scratch) {
        decode(g, t, dst, at, scratch, sinkKeys, windowKeys, keyCodes, keyBytes, keyBook);
    }

    /** Value of token t, KV head g, into dst[at..at+headDim). */
    void decodeValue(int g, int t, float[] dst, int at, int[] scratch) {
        decode(g, t, dst, at, scratch, sinkValues, windowValues, valueCodes, valueBytes, valueBook);
    }

    /** Scratch large enough for the indices of either quantizer. */
    int[] scratch() {
        return new int[Math.max(keyBook.stages(), valueBook.stages())];
    }

    private void decode(int g, int t, float[] dst, int at, int[] idx, short[] sinkRows, short[] windowRows,
                        byte[] codes, int bytesPerToken, ResidualCodebook book) {
        if (t < sinks) {
            fromHalf(sinkRows, t * kvDim + g * headDim, dst, at);
            return;
        }
        int m = t - sinks;
        if (m >= compressed) {
            fromHalf(windowRows, (m - compressed) * kvDim + g * headDim, dst, at);
            return;
        }
        long bit = (long) m * bytesPerToken * 8 + (long) g * book.bits();
        for (int s = 0; s < book.stages(); s++) {
            int w = book.indexBits(s);
            idx[s] = PackedIndices.read(codes, bit, w);
            bit += w;
        }
        book.decode(idx, 0, dst, at);
    }

    private void fromHalf(short[] src, int from, float[] dst, int at) {
        for (int d = 0; d < headDim; d++) {
            dst[at + d] = Float.float16ToFloat(src[from + d]);
        }
    }

    long codeBytes() {
        return (long) compressed * (keyBytes + valueBytes);
    }

    long fullBytes() {
        return 2L * (sinkTokens() + window) * kvDim * Short.BYTES;
    }
}
