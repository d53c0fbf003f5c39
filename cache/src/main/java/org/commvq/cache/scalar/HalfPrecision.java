package org.commvq.cache.scalar;

/**
 * Rounding floats to IEEE half precision in a chosen direction. Scales and zero points are stored as fp16, and
 * rounding them outward (zero point down, scale up) keeps every value of a group inside the quantization grid, so
 * the error bound |x − x̂| ≤ scale/2 holds for the numbers actually stored.
 */
final class HalfPrecision {
    private HalfPrecision() {
    }

    /** The largest fp16 value ≤ x. */
    static short floor(float x) {
        short h = nearest(x);
        return Float.float16ToFloat(h) > x ? nextDown(h) : h;
    }

    /** The smallest fp16 value ≥ x. */
    static short ceil(float x) {
        short h = nearest(x);
        return Float.float16ToFloat(h) < x ? nextUp(h) : h;
    }

    static float toFloat(short h) {
        return Float.float16ToFloat(h);
    }

    private static short nearest(float x) {
        if (!Float.isFinite(x)) {
            throw new IllegalArgumentException("cannot quantize a non-finite value " + x);
        }
        short h = Float.floatToFloat16(x);
        if (Float.isInfinite(Float.float16ToFloat(h))) {
            throw new IllegalArgumentException("value " + x + " is outside the fp16 range of the stored scales");
        }
        return h;
    }

    private static short nextUp(short h) {
        float f = Float.float16ToFloat(h);
        if (f == 0f) {
            return 0x0001;
        }
        short up = (short) (f > 0 ? h + 1 : h - 1);
        if (Float.isInfinite(Float.float16ToFloat(up))) {
            throw new IllegalArgumentException("value " + f + " is at the top of the fp16 range of the stored scales");
        }
        return up;
    }

    private static short nextDown(short h) {
        float f = Float.float16ToFloat(h);
        if (f == 0f) {
            return (short) 0x8001;
        }
        short down = (short) (f > 0 ? h - 1 : h + 1);
        if (Float.isInfinite(Float.float16ToFloat(down))) {
            throw new IllegalArgumentException("value " + f + " is at the bottom of the fp16 range of the stored scales");
        }
        return down;
    }
}
