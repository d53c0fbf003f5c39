package org.commvq.model.tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** A matrix in ggml's Q4_0 layout (see {@link Q4_0Blocks}); each row is cols/32 consecutive blocks. */
public final class Q4_0Matrix extends WeightMatrix {
    private static final VectorSpecies<Float> F = KernelSpecies.FLOAT;
    private static final VectorSpecies<Byte> B = KernelSpecies.BYTE_16;
    private static final int BLOCK = Q4_0Blocks.BLOCK_SIZE;
    private static final int BLOCK_BYTES = Q4_0Blocks.BLOCK_BYTES;
    private final MemorySegment data;
    private final int blocksPerRow;

    public Q4_0Matrix(MemorySegment data, int rows, int cols) {
        super(rows, cols);
        MatrixBytes.requireWholeBlocks(typeName(), BLOCK, rows, cols);
        this.blocksPerRow = cols / BLOCK;
        MatrixBytes.require(data, (long) rows * blocksPerRow * BLOCK_BYTES, typeName(), rows, cols);
        this.data = data;
    }

    @Override
    public String typeName() {
        return "Q4_0";
    }

    @Override
    public long byteSize() {
        return data.byteSize();
    }

    /**
     * On 16-lane floats (AVX-512) the 16 low and the 16 high nibbles of a block each widen to exactly one float vector,
     * and the loop below has no inner loops, which C2 compiles markedly slower; other widths take {@link #dotAnyWidth}.
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
            ByteVector packed = ByteVector.fromMemorySegment(B, data, offset + 2, ByteOrder.LITTLE_ENDIAN);
            // The nibbles are unpacked and re-centred while still bytes. x86 has no byte shift and C2 emulates one
            // expensively, so the high nibbles are shifted down as 16-bit lanes and the mask drops the bits that
            // crossed over from the neighbouring byte.
            FloatVector low = (FloatVector) packed.and((byte) 0x0F).sub((byte) 8)
                    .convertShape(VectorOperators.B2F, F, 0);
            FloatVector high = (FloatVector) packed.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4)
                    .reinterpretAsBytes().and((byte) 0x0F).sub((byte) 8).convertShape(VectorOperators.B2F, F, 0);
            FloatVector sum = low.mul(FloatVector.fromArray(F, x, xOff + j))
                    .add(high.mul(FloatVector.fromArray(F, x, xOff + j + B.length())));
            FloatVector next = sum.fma(FloatVector.broadcast(F, scale), even);
            even = odd;
            odd = next;
        }
        return even.add(odd).reduceLanes(VectorOperators.ADD);
    }

    /** The same sum for any float species of at most 16 lanes; each nibble half widens to 16/lanes vectors. */
    float dotAnyWidth(VectorSpecies<Float> species, int row, float[] x, int xOff) {
        int parts = B.length() / species.length();
        long base = (long) row * blocksPerRow * BLOCK_BYTES;
        FloatVector acc = FloatVector.zero(species);
        for (int b = 0; b < blocksPerRow; b++) {
            long offset = base + (long) b * BLOCK_BYTES;
            int xi = xOff + b * BLOCK;
            float scale = Float.float16ToFloat(data.get(LittleEndian.SHORT, offset));
            ByteVector packed = ByteVector.fromMemorySegment(B, data, offset + 2, ByteOrder.LITTLE_ENDIAN);
            ByteVector low = packed.and((byte) 0x0F).sub((byte) 8);
            ByteVector high = packed.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes()
                    .and((byte) 0x0F).sub((byte) 8);
            FloatVector sum = FloatVector.zero(species);
            for (int part = 0; part < parts; part++) {
                FloatVector wl = (FloatVector) low.convertShape(VectorOperators.B2F, species, part);
                FloatVector wh = (FloatVector) high.convertShape(VectorOperators.B2F, species, part);
                sum = wl.fma(FloatVector.fromArray(species, x, xi + part * species.length()), sum);
                sum = wh.fma(FloatVector.fromArray(species, x, xi + B.length() + part * species.length()), sum);
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
        int half = BLOCK / 2;
        float sum = 0;
        for (int b = 0; b < blocksPerRow; b++) {
            long offset = base + (long) b * BLOCK_BYTES;
            float scale = Float.float16ToFloat(data.get(LittleEndian.SHORT, offset));
            int xi = xOff + b * BLOCK;
            for (int j = 0; j < half; j++) {
                int packed = data.get(LittleEndian.BYTE, offset + 2 + j);
                sum += ((packed & 0x0F) - 8) * scale * x[xi + j];
                sum += (((packed >> 4) & 0x0F) - 8) * scale * x[xi + half + j];
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
            ByteVector packed = ByteVector.fromMemorySegment(B, data, offset + 2, ByteOrder.LITTLE_ENDIAN);
            ByteVector low = packed.and((byte) 0x0F).sub((byte) 8);
            ByteVector high = packed.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes()
                    .and((byte) 0x0F).sub((byte) 8);
            for (int part = 0; part < parts; part++) {
                int at = dstOff + j + part * F.length();
                ((FloatVector) low.convertShape(VectorOperators.B2F, F, part)).mul(scale).intoArray(dst, at);
                ((FloatVector) high.convertShape(VectorOperators.B2F, F, part)).mul(scale)
                        .intoArray(dst, at + B.length());
            }
        }
    }
}
