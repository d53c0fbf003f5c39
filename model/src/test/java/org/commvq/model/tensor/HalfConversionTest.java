package org.commvq.model.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;

import org.commvq.model.gguf.GgmlType;
import org.junit.jupiter.api.Test;

/** F16 and BF16 encoding keep every representable value exactly and round the rest to nearest even. */
class HalfConversionTest {
    @Test
    void everyFiniteHalfSurvivesEncodeAndDecode() {
        float[] values = new float[65536];
        for (int h = 0; h < 65536; h++) {
            values[h] = ReferenceDecoder.halfToFloat(h);
        }
        byte[] bytes = new byte[2 * values.length];
        WeightMatrices.encode(GgmlType.F16, values, 0, values.length, MemorySegment.ofArray(bytes), 0);
        float[] back = WeightMatrices.toFloats(GgmlType.F16, MemorySegment.ofArray(bytes), values.length);
        for (int h = 0; h < 65536; h++) {
            if (((h >> 10) & 31) == 31 && (h & 1023) != 0) {
                assertTrue(Float.isNaN(back[h]));
                continue;
            }
            int stored = (bytes[2 * h] & 0xFF) | (bytes[2 * h + 1] & 0xFF) << 8;
            assertEquals(h, stored, "half bits " + Integer.toHexString(h));
            assertEquals(Float.floatToIntBits(values[h]), Float.floatToIntBits(back[h]));
        }
    }

    @Test
    void everyBfloatSurvivesEncodeAndDecode() {
        for (int b = 0; b < 65536; b++) {
            float f = BFloat16.toFloat((short) b);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(BFloat16.toFloat(BFloat16.fromFloat(f))));
            } else {
                assertEquals(b, BFloat16.fromFloat(f) & 0xFFFF, "bfloat16 bits " + Integer.toHexString(b));
            }
        }
    }

    @Test
    void bfloatRoundsToNearestEven() {
        float oneUlp = 0x1p-7f;
        assertEquals(1f, BFloat16.toFloat(BFloat16.fromFloat(1f + oneUlp / 2)), "tie goes to the even 1.0");
        assertEquals(1f + 2 * oneUlp, BFloat16.toFloat(BFloat16.fromFloat(1f + 1.5f * oneUlp)),
                "tie goes to the even 1+2ulp");
        assertEquals(1f + oneUlp, BFloat16.toFloat(BFloat16.fromFloat(1f + 0.75f * oneUlp)));
        assertEquals(1f, BFloat16.toFloat(BFloat16.fromFloat(1f + 0.25f * oneUlp)));
        assertTrue(Float.isNaN(BFloat16.toFloat(BFloat16.fromFloat(Float.intBitsToFloat(0x7f800001)))),
                "a NaN whose payload sits in the low bits must not round into infinity");
    }

    @Test
    void halfRoundsToNearestEven() {
        float oneUlp = 0x1p-10f;
        assertEquals(1f, Float.float16ToFloat(Float.floatToFloat16(1f + oneUlp / 2)));
        assertEquals(1f + 2 * oneUlp, Float.float16ToFloat(Float.floatToFloat16(1f + 1.5f * oneUlp)));
    }
}
