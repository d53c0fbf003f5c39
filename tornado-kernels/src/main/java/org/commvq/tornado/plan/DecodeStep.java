package org.commvq.tornado.plan;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.commvq.cache.ModelShape;
import org.commvq.cache.Rope;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * What changes from one decode step to the next, shared by every layer's graph: the residual stream x, the position,
 * and cos/sin of that position's RoPE angles (from {@link Rope#angles}, in double precision).
 * x lives on the device once (layers hand it on with persist/consume); position, cos and sin are small host arrays
 * that every layer's graph copies in each step, so each layer plan reserves its own device copy of them.
 */
public final class DecodeStep {
    private final Rope rope;
    private final int capacity;
    private final FloatArray x;
    private final IntArray position;
    private final FloatArray cos;
    private final FloatArray sin;
    private final float[] cosHost;
    private final float[] sinHost;

    public DecodeStep(ModelShape shape, int capacity, DeviceMemoryBudget budget) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("cache capacity must be positive, got " + capacity);
        }
        int pairs = shape.headDim() / 2;
        this.rope = new Rope(shape.rope(), shape.headDim());
        this.capacity = capacity;
        this.x = budget.floats("x", shape.dim());
        this.position = budget.perGraphInts(1);
        this.cos = budget.perGraphFloats(pairs);
        this.sin = budget.perGraphFloats(pairs);
        this.cosHost = new float[pairs];
        this.sinHost = new float[pairs];
    }

    /** Bytes of the per-graph copies of position, cos and sin. */
    public long perGraphBytes() {
        return DeviceMemoryBudget.arrayBytes(1, Integer.BYTES)
                + 2 * DeviceMemoryBudget.arrayBytes(cosHost.length, Float.BYTES);
    }

    /** Sets the position of the next execute and its RoPE angles. */
    public void moveTo(int pos) {
        if (pos < 0 || pos >= capacity) {
            throw new IllegalArgumentException("position " + pos + " is outside the device cache of " + capacity
                    + " tokens");
        }
        position.set(0, pos);
        rope.angles(pos, cosHost, sinHost);
        MemorySegment.copy(cosHost, 0, cos.getSegment(), ValueLayout.JAVA_FLOAT, 0, cosHost.length);
        MemorySegment.copy(sinHost, 0, sin.getSegment(), ValueLayout.JAVA_FLOAT, 0, sinHost.length);
    }

    public int capacity() {
        return capacity;
    }

    public FloatArray x() {
        return x;
    }

    public IntArray position() {
        return position;
    }

    public FloatArray cos() {
        return cos;
    }

    public FloatArray sin() {
        return sin;
    }
}
