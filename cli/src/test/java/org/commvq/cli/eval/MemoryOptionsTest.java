package org.commvq.cli.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.commvq.model.gguf.GgmlType;
import org.junit.jupiter.api.Test;

class MemoryOptionsTest {

    @Test
    void budgetsUseDecimalOrBinaryUnitsAsWritten() {
        assertEquals(24L << 30, MemoryOptions.parseBytes("24GiB"));
        assertEquals(24_000_000_000L, MemoryOptions.parseBytes("24GB"));
        assertEquals(24_000_000_000L, MemoryOptions.parseBytes("24gb"));
        assertEquals(1536L << 20, MemoryOptions.parseBytes("1.5GiB"));
        assertEquals(80L << 40, MemoryOptions.parseBytes("80 TiB"));
        assertEquals(1000, MemoryOptions.parseBytes("1000"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MemoryOptions.parseBytes("lots"));
        assertTrue(e.getMessage().startsWith("--budget"), e.getMessage());
    }

    @Test
    void weightTypesByName() {
        assertEquals(GgmlType.Q4_0, MemoryOptions.weightType("q4_0"));
        assertEquals(GgmlType.F16, MemoryOptions.weightType("F16"));
        assertThrows(IllegalArgumentException.class, () -> MemoryOptions.weightType("q5_k"));
        assertThrows(IllegalArgumentException.class, () -> MemoryOptions.weightType("nonsense"));
    }
}
