package org.commvq.model.tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A matrix of little-endian IEEE half-precision values. {@link #dot} widens every finite half exactly; infinities and
 * NaNs, which no usable model holds, read there as large finite numbers.
 */
public final class F16Matrix extends WeightMatrix {
    private static final VectorSpecies<Float> F = KernelSpecies.FLOAT;
    private static final VectorSpecies<Short> S = KernelSpecies.SHORT;
    private static final VectorSpecies<Integer> I = KernelSpecies.INT;
    private final MemorySegment data;

    public F16Matrix(MemorySegment data, int rows, int cols) {
        super(rows, cols);
        MatrixBytes.require(data, (long) rows * cols * Short.BYTES, typeName(), rows, cols);
        this.data = data;
    }

    @Override
    public String typeName() {
        return "F16";
    }

    @Override
    public long byteSize() {
        return data.byteSize();
    }

    /**
     * Widens halves to floats exactly with integer and float lane operations, because JDK 25's Vector API has no
     * half-float conversion. Sign-extending the 16 bits and shifting left by 13 lines up a half's exponent and
     * mantissa with float32's fields; adding 112 (the difference of the exponent biases) to the exponent then gives
     * the value of every normal half. A subnormal half, whose exponent field is 0, has no implicit leading 1: giving
     * it the exponent of 2^-14 and subtracting 2^-14 again leaves exactly mantissa·2^-24. The shortcut of
     * multiplying the shifted bits by 2^112 would handle both cases at once, but it feeds subnormal floats to the
     * multiplier, which Intel cores process in microcode many times slower.
     */
    @Override
    public float dot(int row, float[] x, int xOff) {
        long base = (long) row * cols * Short.BYTES;
        int lanes = F.length();
        // Two accumulators that swap every step hide the FMA latency while the loop body holds a single conversion,
        // written out in full: C2 would not inline a helper called several times here within its node budget, and a
        // helper left out of line boxes every vector it returns.
        FloatVector even = FloatVector.zero(F);
        FloatVector odd = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(cols); i < bound; i += lanes) {
            ShortVector halves = ShortVector.fromMemorySegment(S, data, base + (long) i * Short.BYTES,
                    ByteOrder.LITTLE_ENDIAN);
            IntVector widened = (IntVector) halves.convertShape(VectorOperators.S2I, I, 0);
            IntVector magnitude = widened.lanewise(VectorOperators.LSHL, 13).and(0x0FFFE000);
            FloatVector normal = magnitude.add(112 << 23).reinterpretAsFloats();
            FloatVector subnormal = magnitude.add(113 << 23).reinterpretAsFloats().sub(0x1p-14f);
            VectorMask<Float> isSubnormal = magnitude.compare(VectorOperators.LT, 1 << 23).cast(F);
            FloatVector w = normal.blend(subnormal, isSubnormal).reinterpretAsInts().or(widened.and(0x80000000))
                    .reinterpretAsFloats();
            FloatVector next = w.fma(FloatVector.fromArray(F, x, xOff + i), even);
            even = odd;
            odd = next;
        }
        float sum = even.add(odd).reduceLanes(VectorOperators.ADD);
        for (; i < cols; i++) {
            sum += Float.float16ToFloat(data.get(LittleEndian.SHORT, base + (long) i * Short.BYTES)) * x[xOff + i];
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
            sum += Float.float16ToFloat(data.get(LittleEndian.SHORT, base + (long) i * Short.BYTES)) * x[xOff + i];
        }
        return sum;
    }

    /** A plain loop, because C2 compiles it to the hardware's vector half conversion, which beats the bit work. */
    @Override
    public void row(int row, float[] dst, int dstOff) {
        long base = (long) row * cols * Short.BYTES;
        for (int i = 0; i < cols; i++) {
            dst[dstOff + i] = Float.float16ToFloat(data.get(LittleEndian.SHORT, base + (long) i * Short.BYTES));
        }
    }
}
