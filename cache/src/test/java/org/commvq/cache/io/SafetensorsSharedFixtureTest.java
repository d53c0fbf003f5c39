package org.commvq.cache.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** kv_short.bin was written by Python's safetensors, so it checks the reader against the reference writer. */
class SafetensorsSharedFixtureTest {
    private static final int[] SHORT_SENTENCE_IDS =
            {0, 513, 2228, 671, 628, 280, 3261, 505, 462, 1174, 648, 263, 304, 1451, 90, 3381, 15};

    @Test
    void readsKvShort() {
        Path file = SharedFiles.require("models/tiny-llama-29m/kv_short.bin");
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertEquals("8", st.metadata().get("n_layers"));
            assertEquals(SafetensorsDType.I32, st.info("ids").dtype());
            assertArrayEquals(SHORT_SENTENCE_IDS, st.ints("ids"));
            assertArrayEquals(new long[] {8, 17, 256}, st.info("k_pre_rope").shape());
            float[] hf = st.floats("k_pre_rope");
            float[] gguf = st.floats("k_pre_rope_gguf");
            assertEquals(8 * 17 * 256, hf.length);
            for (int row = 0; row < 8 * 17; row++) {
                for (int h = 0; h < 2; h++) {
                    for (int i = 0; i < 64; i++) {
                        int base = row * 256 + h * 128;
                        assertEquals(hf[base + i], gguf[base + 2 * i]);
                        assertEquals(hf[base + 64 + i], gguf[base + 2 * i + 1]);
                    }
                }
            }
        }
    }
}
