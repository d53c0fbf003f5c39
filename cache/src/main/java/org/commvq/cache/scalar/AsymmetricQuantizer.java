package org.commvq.cache.scalar;

/**
 * b-bit asymmetric (min/scale) quantization of one group: x̂ = zero + code·scale with code in [0, 2^b − 1]. The zero
 * point and the scale are fp16, rounded outward, so every value of the group maps inside the grid and
 * |x − x̂| ≤ scale/2 up to float rounding.
 */
final class AsymmetricQuantizer {
    private final int bits;
    private final int levels;

    AsymmetricQuantizer(int bits) {
        if (bits != 1 && bits != 2 && bits != 4 && bits != 8) {
            throw new IllegalArgumentException("quantization width must be 1, 2, 4 or 8 bits, got " + bits);
        }
        this.bits = bits;
        this.levels = (1 << bits) - 1;
    }

    int bits() {
        return bits;
    }

    /** fp16 zero point for a group whose smallest value is lo. */
    short zero(float lo) {
        return HalfPrecision.floor(lo);
    }

    /** fp16 scale for a group spanning [zero, hi]. */
    short scale(short zero, float hi) {
        float span = hi - HalfPrecision.toFloat(zero);
        return HalfPrecision.ceil(span / levels);
    }

    int code(float x, float zero, float scale) {
        if (scale == 0f) {
            return 0;
        }
        int q = Math.round((x - zero) / scale);
        return Math.max(0, Math.min(levels, q));
    }
}
