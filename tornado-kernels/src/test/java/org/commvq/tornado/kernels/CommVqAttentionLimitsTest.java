package org.commvq.tornado.kernels;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** keyLogits' local arrays are sized for the preset shapes only: each must fit, and a larger shape gets the limit. */
class CommVqAttentionLimitsTest {
    private static final int GROUP = 256;

    @ParameterizedTest(name = "{0} heads, {1} KV heads, head_dim {2}")
    @CsvSource({"32, 8, 128", "24, 8, 128", "32, 8, 64", "4, 2, 128"})
    void everyPresetShapeFitsWithOneAndTwoBitCodebooks(int heads, int kvHeads, int headDim) {
        for (int stages : new int[] {11, 21}) {
            int codeBits = stages == 11 ? kvHeads * headDim : 2 * kvHeads * headDim;
            assertDoesNotThrow(() -> CommVqAttention.check(heads, kvHeads, headDim, stages, codeBits, 512, 256,
                    GROUP));
        }
    }

    @Test
    void eightQueryHeadsPerKvHeadExceedTheQueryArray() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CommVqAttention.check(64, 8, 128, 11, 1024, 512, 256, GROUP));
        assertTrue(e.getMessage().contains(CommVqAttention.LOGIT_QUERY + " floats"), e.getMessage());
    }

    @Test
    void moreStagesThanTheOffsetArraysHoldAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CommVqAttention.check(32, 8, 64, 30, 512, 512, 256, GROUP));
        assertTrue(e.getMessage().contains(CommVqAttention.LOGIT_OFFSETS + " ints"), e.getMessage());
    }
}
