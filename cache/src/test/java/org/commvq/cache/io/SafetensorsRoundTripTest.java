package org.commvq.cache.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsRoundTripTest {
    @TempDir
    Path dir;

    @Test
    void writtenTensorsReadBackExactly() throws IOException {
        float[] f = {1.5f, -2.25f, 3e-8f, Float.MAX_VALUE, -0f, 7f};
        float[] h = {0.5f, -1f, 65504f, 1e-3f};
        int[] ids = {0, 513, -7, Integer.MAX_VALUE};
        byte[] codes = {0, 1, (byte) 200, (byte) 255, 17};
        short[] s = {-32768, 0, 12345};
        Path file = dir.resolve("t.safetensors");
        new SafetensorsWriter()
                .metadata("format", "pt").metadata("note", "héllo")
                .f32("weights", f, 2, 3)
                .f16("half", h, 4)
                .i32("ids", ids)
                .u8("codes", codes, 5, 1)
                .i16("shorts", s, 3)
                .write(file);

        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertEquals(Map.of("format", "pt", "note", "héllo"), st.metadata());
            assertEquals(List.of("ids", "weights", "half", "shorts", "codes"), List.copyOf(st.tensorNames()),
                    "reference order: larger elements first, then by name");
            assertArrayEquals(new long[] {2, 3}, st.info("weights").shape());
            assertEquals(SafetensorsDType.F16, st.info("half").dtype());
            assertArrayEquals(f, st.floats("weights"));
            float[] halfBack = st.floats("half");
            for (int i = 0; i < h.length; i++) {
                assertEquals(Float.float16ToFloat(Float.floatToFloat16(h[i])), halfBack[i]);
            }
            assertArrayEquals(ids, st.ints("ids"));
            assertArrayEquals(new int[] {0, 1, 200, 255, 17}, st.ints("codes"));
            assertArrayEquals(new int[] {-32768, 0, 12345}, st.ints("shorts"));
            assertEquals(24, st.data("weights").byteSize());
            assertEquals(f[1], st.data("weights").get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 4));
            assertTrue(st.data("weights").isReadOnly());
        }

        byte[] bytes = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLength % 8, "header padded to 8 bytes");
        String header = new String(bytes, 8, (int) headerLength, java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"__metadata__\":") && header.stripTrailing().endsWith("}"), header);
        try (var listing = Files.list(dir)) {
            assertEquals(List.of(file), listing.toList(), "no temporary file left behind");
        }
    }

    @Test
    void bf16IsWidenedByShifting() throws IOException {
        byte[] raw = {(byte) 0x80, 0x3f, 0x00, (byte) 0xc0};
        Path file = dir.resolve("bf.safetensors");
        new SafetensorsWriter().raw("x", SafetensorsDType.BF16, raw, 2).write(file);
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertArrayEquals(new float[] {1f, -2f}, st.floats("x"));
        }
    }

    @Test
    void rewritingReplacesTheFile() throws IOException {
        Path file = dir.resolve("r.safetensors");
        new SafetensorsWriter().i32("a", new int[] {1, 2}).write(file);
        new SafetensorsWriter().i32("b", new int[] {3}).write(file);
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertEquals(List.of("b"), List.copyOf(st.tensorNames()));
            assertEquals(Map.of(), st.metadata());
        }
    }
}
