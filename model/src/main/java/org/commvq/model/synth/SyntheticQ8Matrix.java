package org.commvq.model.synth;

import java.lang.foreign.MemorySegment;

import org.commvq.model.gguf.FloatSource;
import org.commvq.model.tensor.Q8_0Blocks;
import org.commvq.model.tensor.VectorMath;
import org.commvq.model.tensor.WeightMatrix;

/**
 * A Q8_0 matrix that is never stored: each row is drawn from its {@link FloatSource} and passed through the Q8_0
 * quantizer when it is read, so it holds exactly the values of the same tensor in a GGUF that {@code commvq synth
 * --type q8_0} writes with that seed. A device copies it once; on the CPU every product pays for the generation.
 */
public final class SyntheticQ8Matrix extends WeightMatrix {
    private final FloatSource source;

    public SyntheticQ8Matrix(int rows, int cols, FloatSource source) {
        super(rows, cols);
        if (cols % Q8_0Blocks.BLOCK_SIZE != 0) {
            throw new IllegalArgumentException("a Q8_0 row needs a multiple of " + Q8_0Blocks.BLOCK_SIZE
                    + " columns, got " + cols);
        }
        this.source = source;
    }

    @Override
    public String typeName() {
        return "Q8_0";
    }

    /** What the matrix would take in a file; in memory it takes nothing. */
    @Override
    public long byteSize() {
        return (long) rows * cols / Q8_0Blocks.BLOCK_SIZE * Q8_0Blocks.BLOCK_BYTES;
    }

    @Override
    public void row(int row, float[] dst, int dstOff) {
        float[] raw = new float[cols];
        source.fill((long) row * cols, raw, cols);
        MemorySegment blocks = MemorySegment.ofArray(new byte[cols / Q8_0Blocks.BLOCK_SIZE * Q8_0Blocks.BLOCK_BYTES]);
        Q8_0Blocks.quantize(raw, 0, cols, blocks, 0);
        Q8_0Blocks.dequantize(blocks, 0, dst, dstOff, cols);
    }

    @Override
    public float dot(int row, float[] x, int xOff) {
        float[] w = new float[cols];
        row(row, w, 0);
        return VectorMath.dot(w, 0, x, xOff, cols);
    }

    @Override
    public float dotScalar(int row, float[] x, int xOff) {
        float[] w = new float[cols];
        row(row, w, 0);
        return VectorMath.dotScalar(w, 0, x, xOff, cols);
    }
}
