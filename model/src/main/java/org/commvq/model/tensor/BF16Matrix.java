package org.commvq.model.tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** A matrix of little-endian bfloat16 values (the top half of a float32). */
public final class BF16Matrix extends WeightMatrix {
    private static final VectorSpecies<Float> F = KernelSpecies.FLOAT;
    private static final VectorSpecies<Short> S = KernelSpecies.SHORT;
    private static final VectorSpecies<Integer> I = KernelSpecies.INT;
    private final MemorySegment data;

    public BF16Matrix(MemorySegment data, int rows, int cols) {
        super(rows, cols);
        MatrixBytes.require(data, (long) rows * cols * Short.BYTES, typeName(), rows, cols);
        this.data = data;
    }

    @Override
    public String typeName() {
        return "BF16";
    }

    @Override
    public long byteSize() {
        return data.byteSize();
    }

    @Override
    public float dot(int row, float[] x, int xOff) {
        long base = (long) row * cols * Short.BYTES;
        int lanes = F.length();
        // Two accumulators that swap every step hide the FMA latency while the loop body holds a single conversion,
        // written out in full: a helper that C2 leaves out of line, as it may when this method is inlined into a large
        // caller, boxes every vector it returns.
        FloatVector even = FloatVector.zero(F);
        FloatVector odd = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(cols); i < bound; i += lanes) {
            ShortVector halves = ShortVector.fromMemorySegment(S, data, base + (long) i * Short.BYTES,
                    ByteOrder.LITTLE_ENDIAN);
            FloatVector w = ((IntVector) halves.convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector next = w.fma(FloatVector.fromArray(F, x, xOff + i), even);
            even = odd;
            odd = next;
        }
        float sum = even.add(odd).reduceLanes(VectorOperators.ADD);
        for (; i < cols; i++) {
            sum += BFloat16.toFloat(data.get(LittleEndian.SHORT, base + (long) i * Short.BYTES)) * x[xOff + i];
        }
        return sum;
    }

    @Override
    public void matmul(float[] x, int n, float[] out) {
        TiledMatmul.matmul(this, x, n, out);
    }

    @Override
    public float dotScalar(int row, float[] x, int xOff) {
        long base = (long) row * cols * Short.BYTES;
        float sum = 0;
        for (int i = 0; i < cols; i++) {
            sum += BFloat16.toFloat(data.get(LittleEndian.SHORT, base + (long) i * Short.BYTES)) * x[xOff + i];
        }
        return sum;
    }

    /** A plain loop, which C2 vectorizes by itself. */
    @Override
    public void row(int row, float[] dst, int dstOff) {
        long base = (long) row * cols * Short.BYTES;
        for (int i = 0; i < cols; i++) {
            dst[dstOff + i] = BFloat16.toFloat(data.get(LittleEndian.SHORT, base + (long) i * Short.BYTES));
        }
    }
}
