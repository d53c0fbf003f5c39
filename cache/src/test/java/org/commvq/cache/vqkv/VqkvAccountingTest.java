package org.commvq.cache.vqkv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Oracle 14: the VQKV bit budgets behind the paper's compression ratios. */
class VqkvAccountingTest {

    @Test
    void llama31With56KeyAnd16ValueStages() {
        int[] keys = VqkvAccounting.stages(56, 1024);
        int[] values = VqkvAccounting.stages(16, 512);
        assertEquals(704, VqkvAccounting.bitsPerHeadToken(keys, values));
        assertEquals(704.0 / 4096, VqkvAccounting.fractionOfFp16(keys, values, 128), 0.0);
        assertEquals(0.171875, VqkvAccounting.fractionOfFp16(keys, values, 128), 0.0);
        assertEquals(0.828125, VqkvAccounting.compressionRatio(keys, values, 128), 0.0);
        assertEquals(560.0 / 128, VqkvAccounting.bits(keys) / 128.0, 0.0, "4.375 key bits per scalar");
        assertEquals(1.125, VqkvAccounting.bits(values) / 128.0, 0.0);
    }

    @Test
    void llama32With10ValueStagesOf65536() {
        int[] keys = VqkvAccounting.stages(56, 1024);
        int[] values = VqkvAccounting.stages(10, 65536);
        assertEquals(720, VqkvAccounting.bitsPerHeadToken(keys, values));
        assertEquals(720.0 / 4096, VqkvAccounting.fractionOfFp16(keys, values, 128), 0.0);
        assertEquals(0.8242, VqkvAccounting.compressionRatio(keys, values, 128), 1e-4);
    }

    @Test
    void indexWidthIsCeilLog2() {
        assertEquals(0, VqkvAccounting.indexBits(1));
        assertEquals(1, VqkvAccounting.indexBits(2));
        assertEquals(9, VqkvAccounting.indexBits(512));
        assertEquals(10, VqkvAccounting.indexBits(513));
        assertEquals(10, VqkvAccounting.indexBits(1000));
        assertEquals(10, VqkvAccounting.indexBits(1024));
        assertEquals(16, VqkvAccounting.indexBits(65536));
    }
}
