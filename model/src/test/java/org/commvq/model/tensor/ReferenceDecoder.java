package org.commvq.model.tensor;

/**
 * Decodes ggml byte layouts straight from a byte array with nothing but shifts and masks, independently of the
 * production code, so that tests compare two separate implementations.
 */
final class ReferenceDecoder {
    private ReferenceDecoder() {
    }

    static float[] decode(String type, byte[] bytes, int n) {
        float[] out = new float[n];
        switch (type) {
            case "F32" -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float.intBitsToFloat(u16(bytes, 4 * i) | u16(bytes, 4 * i + 2) << 16);
                }
            }
            case "F16" -> {
                for (int i = 0; i < n; i++) {
                    out[i] = halfToFloat(u16(bytes, 2 * i));
                }
            }
            case "BF16" -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Float.intBitsToFloat(u16(bytes, 2 * i) << 16);
                }
            }
            case "Q8_0" -> {
                for (int b = 0; b < n / 32; b++) {
                    float d = halfToFloat(u16(bytes, 34 * b));
                    for (int j = 0; j < 32; j++) {
                        out[32 * b + j] = bytes[34 * b + 2 + j] * d;
                    }
                }
            }
            case "Q4_0" -> {
                for (int b = 0; b < n / 32; b++) {
                    float d = halfToFloat(u16(bytes, 18 * b));
                    for (int j = 0; j < 16; j++) {
                        int packed = bytes[18 * b + 2 + j] & 0xFF;
                        out[32 * b + j] = ((packed & 15) - 8) * d;
                        out[32 * b + 16 + j] = ((packed >> 4) - 8) * d;
                    }
                }
            }
            default -> throw new IllegalArgumentException(type);
        }
        return out;
    }

    /** IEEE binary16 → float by the textbook formula, for finite values. */
    static float halfToFloat(int h) {
        int exponent = (h >> 10) & 31;
        int mantissa = h & 1023;
        float magnitude;
        if (exponent == 31) {
            magnitude = mantissa == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
        } else if (exponent == 0) {
            magnitude = (float) (mantissa * Math.pow(2, -24));
        } else {
            magnitude = (float) ((1 + mantissa / 1024.0) * Math.pow(2, exponent - 15));
        }
        return (h & 0x8000) != 0 ? -magnitude : magnitude;
    }

    private static int u16(byte[] bytes, int at) {
        return (bytes[at] & 0xFF) | (bytes[at + 1] & 0xFF) << 8;
    }
}
