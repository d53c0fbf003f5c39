package org.commvq.model.tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** A matrix of little-endian float32 values. */
public final class F32Matrix extends WeightMatrix {
    private static final VectorSpecies<Float> F = KernelSpecies.FLOAT;
    private final MemorySegment data;

    public F32Matrix(MemorySegment data, int rows, int cols) {
        super(rows, cols);
        MatrixBytes.require(data, (long) rows * cols * Float.BYTES, typeName(), rows, cols);
        this.data = data;
    }

    @Override
    public String typeName() {
        return "F32";
    }

    @Override
    public long byteSize() {
        return data.byteSize();
    }

    @Override
    public float dot(int row, float[] x, int xOff) {
        long base = (long) row * cols * Float.BYTES;
        int lanes = F.length();
        // Four accumulators hide the FMA latency; one would serialise every iteration on the previous sum. The loads
        // are written out rather than put in a helper: when C2 runs out of inlining budget (this method inlined into a
        // large caller), a helper left out of line would box every vector it returns.
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F);
        FloatVector acc3 = FloatVector.zero(F);
        int i = 0;
        for (int bound = cols - 4 * lanes; i <= bound; i += 4 * lanes) {
            long at = base + (long) i * Float.BYTES;
            acc0 = FloatVector.fromMemorySegment(F, data, at, ByteOrder.LITTLE_ENDIAN)
                    .fma(FloatVector.fromArray(F, x, xOff + i), acc0);
            acc1 = FloatVector.fromMemorySegment(F, data, at + 4L * lanes, ByteOrder.LITTLE_ENDIAN)
                    .fma(FloatVector.fromArray(F, x, xOff + i + lanes), acc1);
            acc2 = FloatVector.fromMemorySegment(F, data, at + 8L * lanes, ByteOrder.LITTLE_ENDIAN)
                    .fma(FloatVector.fromArray(F, x, xOff + i + 2 * lanes), acc2);
            acc3 = FloatVector.fromMemorySegment(F, data, at + 12L * lanes, ByteOrder.LITTLE_ENDIAN)
                    .fma(FloatVector.fromArray(F, x, xOff + i + 3 * lanes), acc3);
        }
        for (int bound = F.loopBound(cols); i < bound; i += lanes) {
            acc0 = FloatVector.fromMemorySegment(F, data, base + (long) i * Float.BYTES, ByteOrder.LITTLE_ENDIAN)
                    .fma(FloatVector.fromArray(F, x, xOff + i), acc0);
        }
        float sum = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        for (; i < cols; i++) {
            sum += data.get(LittleEndian.FLOAT, base + (long) i * Float.BYTES) * x[xOff + i];
        }
        return sum;
    }

    @Override
    public void matmul(float[] x, int n, float[] out) {
        TiledMatmul.matmul(this, x, n, out);
    }

    @Override
    public float dotScalar(int row, float[] x, int xOff) {
        long base = (long) row * cols * Float.BYTES;
        float sum = 0;
        for (int i = 0; i < cols; i++) {
            sum += data.get(LittleEndian.FLOAT, base + (long) i * Float.BYTES) * x[xOff + i];
        }
        return sum;
    }

    @Override
    public void row(int row, float[] dst, int dstOff) {
        MemorySegment.copy(data, LittleEndian.FLOAT, (long) row * cols * Float.BYTES, dst, dstOff, cols);
    }
}
