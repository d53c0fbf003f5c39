package org.commvq.cache.fuzz;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.commvq.cache.io.SafetensorsFile;
import org.commvq.cache.io.TensorFileException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Safetensors files that claim more than they hold — a header length of 2^40 in a 100-byte file, a header over the
 * 100 MB cap in a file that really is that large, tensor offsets and shapes beyond the data — are refused with a
 * message naming the claim, before the header or a tensor is copied.
 */
class SafetensorsBoundsTest {
    private static final long TERA = 1L << 40;
    private static final long HEAP_LIMIT = 1 << 20;

    @TempDir
    Path dir;

    @BeforeEach
    void loadTheReader() throws IOException {
        SafetensorsFile.open(file(header("{}"))).close();
    }

    @Test
    void headerLengthBeyondTheFile() throws IOException {
        refused(ByteBuffer.allocate(100).order(ByteOrder.LITTLE_ENDIAN).putLong(TERA).array(),
                "header length " + TERA, "92 bytes");
        refused(ByteBuffer.allocate(100).order(ByteOrder.LITTLE_ENDIAN).putLong(-1).array(),
                "header length 18446744073709551615");
    }

    @Test
    void headerLengthOverTheCapInALargeSparseFile() throws IOException {
        Path f = dir.resolve("large.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(SafetensorsFile.MAX_HEADER_BYTES + (64 << 20));
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(SafetensorsFile.MAX_HEADER_BYTES + 1).array());
        }
        Refusal.of(TensorFileException.class, () -> SafetensorsFile.open(f).close())
                .assertPrompt(HEAP_LIMIT, "exceeds the limit of " + SafetensorsFile.MAX_HEADER_BYTES);
    }

    @Test
    void offsetsBeyondTheData() throws IOException {
        refused(header("{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0," + TERA + "]}}"),
                "data_offsets [0, " + TERA + "]", "outside the data section");
        refused(header("{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" + TERA + "," + TERA + "]}}"),
                "outside the data section");
    }

    @Test
    void shapesBeyondAnySize() throws IOException {
        refused(header("{\"t\":{\"dtype\":\"F32\",\"shape\":[" + TERA + "," + TERA + "],\"data_offsets\":[0,0]}}"),
                "is too large");
        refused(header("{\"t\":{\"dtype\":\"F64\",\"shape\":[" + TERA + "],\"data_offsets\":[0,8]}}"),
                "needs " + 8 * TERA + " bytes");
        refused(header("{\"t\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,0]}}"), "non-negative");
    }

    private static byte[] header(String json) {
        byte[] j = json.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + j.length + 8).order(ByteOrder.LITTLE_ENDIAN).putLong(j.length).put(j).array();
    }

    private Path file(byte[] bytes) throws IOException {
        return Files.write(dir.resolve("claims.safetensors"), bytes);
    }

    private void refused(byte[] bytes, String... mustContain) throws IOException {
        Path f = file(bytes);
        Refusal.of(TensorFileException.class, () -> SafetensorsFile.open(f).close()).assertPrompt(HEAP_LIMIT,
                mustContain);
    }
}
