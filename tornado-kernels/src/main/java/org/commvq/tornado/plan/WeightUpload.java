package org.commvq.tornado.plan;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.commvq.cache.Workers;
import org.commvq.model.tensor.LittleEndian;
import org.commvq.model.tensor.Q8_0Blocks;
import org.commvq.model.tensor.WeightMatrix;
import org.commvq.tornado.kernels.MatVec;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.HalfFloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Converts a host weight matrix, whatever its file type, into a device layout once, row by row through
 * {@link WeightMatrix#row}, so the device copy holds exactly the values the CPU path multiplies by.
 */
public final class WeightUpload {
    private WeightUpload() {
    }

    public static DeviceMatrix upload(WeightMatrix w, WeightFormat format, String name, DeviceMemoryBudget budget) {
        return switch (format) {
            case F32 -> f32(w, name, budget);
            case F16 -> f16(w, name, budget);
            case Q8_0 -> q8(w, name, budget);
        };
    }

    public static DeviceMatrix.F32 f32(WeightMatrix w, String name, DeviceMemoryBudget budget) {
        int rows = w.rows();
        int cols = w.cols();
        FloatArray weights = budget.floats(name, (long) rows * cols);
        MemorySegment dst = weights.getSegment();
        Workers.parallelFor(rows, 16, r -> {
            float[] row = new float[cols];
            w.row(r, row, 0);
            MemorySegment.copy(row, 0, dst, ValueLayout.JAVA_FLOAT, (long) r * cols * Float.BYTES, cols);
        });
        return new DeviceMatrix.F32(weights, rows, cols);
    }

    /** Rounds to half precision: exact when the source is F16, a rounding otherwise. */
    public static DeviceMatrix.F16 f16(WeightMatrix w, String name, DeviceMemoryBudget budget) {
        int rows = w.rows();
        int cols = w.cols();
        HalfFloatArray weights = budget.halves(name, (long) rows * cols);
        MemorySegment dst = weights.getSegment();
        Workers.parallelFor(rows, 16, r -> {
            float[] row = new float[cols];
            short[] halves = new short[cols];
            w.row(r, row, 0);
            for (int j = 0; j < cols; j++) {
                halves[j] = Float.floatToFloat16(row[j]);
            }
            MemorySegment.copy(halves, 0, dst, ValueLayout.JAVA_SHORT, (long) r * cols * Short.BYTES, cols);
        });
        return new DeviceMatrix.F16(weights, rows, cols);
    }

    /**
     * Quantizes each row with the project's Q8_0 quantizer (llama.cpp's rule) and splits the blocks into quants and
     * float scales; the quants' bytes go in file order, which the little-endian ints of the device layout read back
     * four at a time. For a Q8_0 source written by that rule this gives back its blocks bit for bit: the largest
     * dequantized weight of a block is 127·d, so the recomputed scale is d and every quant rounds to itself.
     */
    public static DeviceMatrix.Q8 q8(WeightMatrix w, String name, DeviceMemoryBudget budget) {
        int rows = w.rows();
        int cols = w.cols();
        if (cols % MatVec.Q8_BLOCK != 0) {
            throw new IllegalArgumentException(name + ": Q8_0 needs a row length that is a multiple of "
                    + MatVec.Q8_BLOCK + ", got " + cols);
        }
        int blocks = cols / MatVec.Q8_BLOCK;
        IntArray quants = budget.ints(name + ".quants", (long) rows * cols / MatVec.Q8_PER_INT);
        FloatArray scales = budget.floats(name + ".scales", (long) rows * blocks);
        MemorySegment q = quants.getSegment();
        MemorySegment s = scales.getSegment();
        Workers.parallelFor(rows, 16, r -> {
            float[] row = new float[cols];
            w.row(r, row, 0);
            MemorySegment encoded = MemorySegment.ofArray(new byte[blocks * Q8_0Blocks.BLOCK_BYTES]);
            Q8_0Blocks.quantize(row, 0, cols, encoded, 0);
            for (int b = 0; b < blocks; b++) {
                long at = (long) b * Q8_0Blocks.BLOCK_BYTES;
                float scale = Float.float16ToFloat(encoded.get(LittleEndian.SHORT, at));
                s.setAtIndex(ValueLayout.JAVA_FLOAT, (long) r * blocks + b, scale);
                MemorySegment.copy(encoded, at + 2, q, (long) r * cols + (long) b * MatVec.Q8_BLOCK, MatVec.Q8_BLOCK);
            }
        });
        return new DeviceMatrix.Q8(quants, scales, rows, cols);
    }
}
