package org.commvq.model.tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** A matrix in ggml's Q8_0 layout (see {@link Q8_0Blocks}); each row is cols/32 consecutive blocks. */
public final class Q8_0Matrix extends WeightMatrix {
    private static final VectorSpecies<Float> F = KernelSpecies.FLOAT;
    private static final VectorSpecies<Byte> B = KernelSpecies.BYTE_16;
    private static final int BLOCK = Q8_0Blocks.BLOCK_SIZE;
    private static final int BLOCK_BYTES = Q8_0Blocks.BLOCK_BYTES;
    private final MemorySegment data;
    private final int blocksPerRow;

    public Q8_0Matrix(MemorySegment data, int rows, int cols) {
        super(rows, cols);
        MatrixBytes.requireWholeBlocks(typeName(), BLOCK, rows, cols);
        this.blocksPerRow = cols / BLOCK;
        MatrixBytes.require(data, (long) rows * blocksPerRow * BLOCK_BYTES, typeName(), rows, cols);
        this.data = data;
    }

    @Override
    public String typeName() {
        return "Q8_0";
    }

    @Override
    public long byteSize() {
        return data.byteSize();
    }

    /**
     * On 16-lane floats (AVX-512) each 16-byte load of int8 weights widens to exactly one float vector, and the loop
     * below has no inner loops, which C2 compiles markedly slower; other widths take {@link #dotAnyWidth}.
     */
    @Override
    public float dot(int row, float[] x, int xOff) {
        if (F.length() != B.length()) {
            return dotAnyWidth(F, row, x, xOff);
        }
        long offset = (long) row * blocksPerRow * BLOCK_BYTES;
        // Two accumulators that swap every block keep consecutive blocks off each other's FMA latency, while the loop
        // body stays one block, written out in full: C2 would not inline a block helper called several times here
        // within its node budget, and a helper left out of line boxes every vector it passes.
        FloatVector even = FloatVector.zero(F);
        FloatVector odd = FloatVector.zero(F);
        for (int j = 0; j < cols; j += BLOCK, offset += BLOCK_BYTES) {
            float scale = Float.float16ToFloat(data.get(LittleEndian.SHORT, offset));
            FloatVector w0 = (FloatVector) ByteVector.fromMemorySegment(B, data, offset + 2, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2F, F, 0);
            FloatVector w1 = (FloatVector) ByteVector.fromMemorySegment(B, data, offset + 2 + B.length(),
                    ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.B2F, F, 0);
            // The int8 weights are summed unscaled and the block's scale is applied once.
            FloatVector sum = w0.mul(FloatVector.fromArray(F, x, xOff + j))
                    .add(w1.mul(FloatVector.fromArray(F, x, xOff + j + B.length())));
            FloatVector next = sum.fma(FloatVector.broadcast(F, scale), even);
            even = odd;
            odd = next;
        }
        return even.add(odd).reduceLanes(VectorOperators.ADD);
    }

    /** The same sum for any float species of at most 16 lanes; each 16-byte load widens to 16/lanes vectors. */
    float dotAnyWidth(VectorSpecies<Float> species, int row, float[] x, int xOff) {
        int parts = B.length() / species.length();
        long base = (long) row * blocksPerRow * BLOCK_BYTES;
        FloatVector acc = FloatVector.zero(species);
        for (int b = 0; b < blocksPerRow; b++) {
            long offset = base + (long) b * BLOCK_BYTES;
            int xi = xOff + b * BLOCK;
            float scale = Float.float16ToFloat(data.get(LittleEndian.SHORT, offset));
            FloatVector sum = FloatVector.zero(species);
            for (int half = 0; half < 2; half++) {
                ByteVector quants = ByteVector.fromMemorySegment(B, data, offset + 2 + half * B.length(),
                        ByteOrder.LITTLE_ENDIAN);
                for (int part = 0; part < parts; part++) {
                    FloatVector w = (FloatVector) quants.convertShape(VectorOperators.B2F, species, part);
                    sum = w.fma(FloatVector.fromArray(species, x, xi + half * B.length() + part * species.length()),
                            sum);
                }
            }
            acc = sum.fma(FloatVector.broadcast(species, scale), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    @Override
    public void matmul(float[] x, int n, float[] out) {
        TiledMatmul.matmul(this, x, n, out);
    }

    @Override
    public float dotScalar(int row, float[] x, int xOff) {
        long base = (long) row * blocksPerRow * BLOCK_BYTES;
        float sum = 0;
        for (int b = 0; b < blocksPerRow; b++) {
            long offset = base + (long) b * BLOCK_BYTES;
            float scale = Float.float16ToFloat(data.get(LittleEndian.SHORT, offset));
            for (int j = 0; j < BLOCK; j++) {
                sum += data.get(LittleEndian.BYTE, offset + 2 + j) * scale * x[xOff + b * BLOCK + j];
            }
        }
        return sum;
    }

    @Override
    public void row(int row, float[] dst, int dstOff) {
        long offset = (long) row * blocksPerRow * BLOCK_BYTES;
        int parts = B.length() / F.length();
        for (int j = 0; j < cols; j += BLOCK, offset += BLOCK_BYTES) {
            FloatVector scale = FloatVector.broadcast(F, Float.float16ToFloat(data.get(LittleEndian.SHORT, offset)));
            for (int half = 0; half < 2; half++) {
                ByteVector quants = ByteVector.fromMemorySegment(B, data, offset + 2 + half * B.length(),
                        ByteOrder.LITTLE_ENDIAN);
                for (int part = 0; part < parts; part++) {
                    ((FloatVector) quants.convertShape(VectorOperators.B2F, F, part)).mul(scale)
                            .intoArray(dst, dstOff + j + half * B.length() + part * F.length());
                }
            }
        }
    }
}
