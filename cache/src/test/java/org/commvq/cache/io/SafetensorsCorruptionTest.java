package org.commvq.cache.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every malformed file is refused with a one-line message that names the file and the problem. */
class SafetensorsCorruptionTest {
    @TempDir
    Path dir;

    private Path file(String json, int dataBytes) throws IOException {
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header);
        Path p = dir.resolve("bad.safetensors");
        Files.write(p, b.array());
        return p;
    }

    private void refused(Path p, String expectedFragment) {
        TensorFileException e = assertThrows(TensorFileException.class, () -> SafetensorsFile.open(p).close());
        assertTrue(e.getMessage().startsWith(p.toString() + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expectedFragment), e.getMessage());
        assertEquals(-1, e.getMessage().indexOf('\n'), "one line: " + e.getMessage());
    }

    @Test
    void tooShort() throws IOException {
        Path p = dir.resolve("short.safetensors");
        Files.write(p, new byte[5]);
        refused(p, "too short");
    }

    @Test
    void headerLengthBeyondFile() throws IOException {
        Path p = dir.resolve("long.safetensors");
        ByteBuffer b = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN).putLong(1000);
        Files.write(p, b.array());
        refused(p, "header length 1000 exceeds");
        ByteBuffer neg = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN).putLong(-1);
        Files.write(p, neg.array());
        refused(p, "header length 18446744073709551615 exceeds");
    }

    @Test
    void headerLengthOverCap() throws IOException {
        Path p = dir.resolve("huge.safetensors");
        long length = SafetensorsFile.MAX_HEADER_BYTES + 1;
        try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
            raf.setLength(8 + length + 8);
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(length).array());
        }
        refused(p, "exceeds the limit of " + SafetensorsFile.MAX_HEADER_BYTES);
    }

    @Test
    void badJson() throws IOException {
        refused(file("{\"a\": {\"dtype\": \"F32\",", 0), "not valid JSON");
        refused(file("[1, 2]", 0), "must be a JSON object");
        refused(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "not valid JSON");
    }

    @Test
    void unknownDtype() throws IOException {
        refused(file("{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[4],\"data_offsets\":[0,4]}}", 4), "unknown dtype 'F8_E4M3'");
    }

    @Test
    void missingOrMalformedFields() throws IOException {
        refused(file("{\"a\":{\"shape\":[4],\"data_offsets\":[0,16]}}", 16), "no dtype");
        refused(file("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,16]}}", 16), "needs shape");
        refused(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0]}}", 16), "needs data_offsets");
        refused(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[-4],\"data_offsets\":[0,16]}}", 16), "non-negative");
        refused(file("{\"__metadata__\":{\"k\":1}}", 0), "must be a string");
    }

    @Test
    void offsetsOutOfRange() throws IOException {
        refused(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 12), "outside the data section");
        refused(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,4]}}", 12), "outside the data section");
    }

    @Test
    void sizeDoesNotMatchShape() throws IOException {
        refused(file("{\"a\":{\"dtype\":\"F16\",\"shape\":[2,3],\"data_offsets\":[0,16]}}", 16), "needs 12 bytes");
    }

    @Test
    void overlappingTensors() throws IOException {
        refused(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12), "overlap");
    }

    @Test
    void wrongAccessorsAndNames() throws IOException {
        Path p = dir.resolve("ok.safetensors");
        new SafetensorsWriter().i32("ids", new int[] {1}).f32("x", new float[] {1f}).write(p);
        try (SafetensorsFile st = SafetensorsFile.open(p)) {
            assertTrue(assertThrows(TensorFileException.class, () -> st.floats("ids")).getMessage()
                    .contains("expected F32, F16 or BF16"));
            assertTrue(assertThrows(TensorFileException.class, () -> st.ints("x")).getMessage()
                    .contains("expected an integer type"));
            assertTrue(assertThrows(TensorFileException.class, () -> st.info("nope")).getMessage()
                    .contains("no tensor named 'nope'"));
        }
    }

    @Test
    void missingFile() {
        refused(dir.resolve("absent.safetensors"), "cannot read file");
    }
}
