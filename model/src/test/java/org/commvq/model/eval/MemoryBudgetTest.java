package org.commvq.model.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.commvq.cache.KvCacheFactory;
import org.commvq.cache.ModelShape;
import org.commvq.model.ShapePresets;
import org.commvq.model.gguf.GgmlType;
import org.junit.jupiter.api.Test;

class MemoryBudgetTest {
    private static final ModelShape LLAMA_8B = ShapePresets.get("llama-3.1-8b");
    private static final long GIB = 1L << 30;

    @Test
    void fp16CacheOfLlama8bAt128kTokensIs16GiB() {
        assertEquals(131_072, KvCacheFactory.bytesPerToken("fp16", LLAMA_8B));
        MemoryBudget m = new MemoryBudget(LLAMA_8B, GgmlType.F16, 24 * GIB);
        assertEquals(16.0, MemoryBudget.bitsPerValue("fp16", LLAMA_8B));
        long kv = m.totalBytes("fp16", 0, 131_072) - m.fixedBytes("fp16", 0) - 131_072L * 4 * 32;
        assertEquals(16 * GIB, kv);
    }

    @Test
    void weightBytesFollowTheParameterCountAndType() {
        MemoryBudget f16 = new MemoryBudget(LLAMA_8B, GgmlType.F16, 0);
        // The published 8.03 B parameters: 8,029,995,008 in matrices and 266,240 in norms.
        assertEquals(8_030_261_248L, f16.parameterCount());
        assertEquals(8_029_995_008L * 2 + 266_240L * 4, f16.weightBytes());
        assertEquals(8_029_995_008L / 32 * 34 + 266_240L * 4,
                new MemoryBudget(LLAMA_8B, GgmlType.Q8_0, 0).weightBytes());
        assertEquals(8_029_995_008L / 32 * 18 + 266_240L * 4,
                new MemoryBudget(LLAMA_8B, GgmlType.Q4_0, 0).weightBytes());
        // tiny-llama-29m's README: 29,368,832 parameters.
        assertEquals(29_368_832L, new MemoryBudget(ShapePresets.get("tiny-llama-29m"), GgmlType.Q8_0, 0)
                .parameterCount());
    }

    @Test
    void longestContextInA24GiBBudget() {
        MemoryBudget m = new MemoryBudget(LLAMA_8B, GgmlType.F16, 24 * GIB);
        // 24 GiB − 16,061,054,976 weights − 188,416 activations − 513,024 logits = 9,708,047,360 bytes, at
        // 131,072 cache + 128 score bytes per token: 73,994 tokens.
        assertEquals(188_416, m.activationBytes());
        assertEquals(513_024, m.logitsBytes());
        assertEquals(73_994, m.plan("fp16", 0).maxContext());
        assertEquals(131_373, new MemoryBudget(LLAMA_8B, GgmlType.Q8_0, 24 * GIB).plan("fp16", 0).maxContext());
    }

    @Test
    void compressedCachesPayForTheirWindowAndCodebooks() {
        MemoryBudget m = new MemoryBudget(LLAMA_8B, GgmlType.Q4_0, 24 * GIB);
        assertEquals(128L * 131_072, m.windowBytes("kivi2"));
        assertEquals(2052L * 131_072, m.windowBytes("vqkv"));
        assertEquals(128L * 131_072, m.windowBytes("commvq1"));
        assertEquals(0, m.windowBytes("int8"));
        long free = 24 * GIB - m.fixedBytes("kivi2", 1000);
        assertEquals((long) Math.floor(free / m.perTokenBytes("kivi2")), m.plan("kivi2", 1000).maxContext());
        assertEquals(m.fixedBytes("kivi2", 0) + 1000, m.fixedBytes("kivi2", 1000));
    }

    @Test
    void aBudgetBelowTheWeightsFitsNothing() {
        assertEquals(0, new MemoryBudget(LLAMA_8B, GgmlType.F16, GIB).plan("fp16", 0).maxContext());
    }
}
