package org.commvq.model.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufMetadataTest {
    @TempDir
    Path dir;
    private Path file;
    private GgufMetadata metadata;

    @BeforeEach
    void readEveryValueType() throws IOException {
        file = dir.resolve("meta.gguf");
        GgufWriter writer = new GgufWriter();
        GgufRoundTripTest.everyValueType().forEach(writer::put);
        writer.put("v.small.uint64", GgufValue.ofUInt64(2048)).write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            metadata = gguf.metadata();
        }
    }

    @Test
    void getIntAcceptsEveryIntegerTypeThatFits() {
        assertEquals(255, metadata.getInt("v.uint8"));
        assertEquals(-128, metadata.getInt("v.int8"));
        assertEquals(65535, metadata.getInt("v.uint16"));
        assertEquals(-32768, metadata.getInt("v.int16"));
        assertEquals(Integer.MIN_VALUE, metadata.getInt("v.int32"));
        assertEquals(2048, metadata.getInt("v.small.uint64"));
        assertEquals(0xFFFF_FFFFL, metadata.getLong("v.uint32"));
        assertEquals(Long.MIN_VALUE, metadata.getLong("v.int64"));
    }

    @Test
    void integersThatDoNotFitAreRefused() {
        ModelFormatExceptionAssert.assertMessage(() -> metadata.getInt("v.uint32"), file, "'v.uint32'",
                "4294967295", "does not fit in an int");
        ModelFormatExceptionAssert.assertMessage(() -> metadata.getLong("v.uint64"), file,
                "18446744073709551615", "does not fit in a long");
        ModelFormatExceptionAssert.assertMessage(() -> metadata.getIntArray("a.uint64"), file, "element 0",
                "does not fit in an int");
    }

    @Test
    void numbersConvertToFloatAndDouble() {
        assertEquals(1e-5f, metadata.getFloat("v.float32"));
        assertEquals(Math.PI, metadata.getDouble("v.float64"));
        assertEquals(255f, metadata.getFloat("v.uint8"));
        assertEquals(0x1p64, metadata.getDouble("v.uint64"));
        assertEquals((float) Math.PI, metadata.getFloat("v.float64"));
    }

    @Test
    void wrongTypesNameTheKeyAndTheExpectation() {
        ModelFormatExceptionAssert.assertMessage(() -> metadata.getInt("v.string"), file,
                "metadata 'v.string' is a string, expected an integer");
        ModelFormatExceptionAssert.assertMessage(() -> metadata.getString("v.int32"), file,
                "metadata 'v.int32' is a int32, expected a string");
        ModelFormatExceptionAssert.assertMessage(() -> metadata.getFloat("v.bool"), file, "expected a number");
        ModelFormatExceptionAssert.assertMessage(() -> metadata.getBoolean("v.uint8"), file, "expected a bool");
        ModelFormatExceptionAssert.assertMessage(() -> metadata.getStringList("a.int32"), file,
                "metadata 'a.int32' is an array of int32, expected an array of strings");
        ModelFormatExceptionAssert.assertMessage(() -> metadata.getIntArray("v.int32"), file, "expected an array");
        ModelFormatExceptionAssert.assertMessage(() -> metadata.getFloatArray("a.string"), file,
                "expected an array of numbers");
    }

    @Test
    void missingKeysNameTheKeyAndTheExpectation() {
        ModelFormatExceptionAssert.assertMessage(() -> metadata.getInt("llama.block_count"), file,
                "metadata 'llama.block_count' is missing, expected an integer");
        ModelFormatExceptionAssert.assertMessage(() -> metadata.getStringList("tokenizer.ggml.tokens"), file,
                "is missing, expected an array of strings");
    }

    @Test
    void optionalAndDefaultVariants() {
        assertEquals(7, metadata.getInt("absent", 7));
        assertEquals(255, metadata.getInt("v.uint8", 7));
        assertEquals(3L, metadata.getLong("absent", 3L));
        assertEquals(0.5f, metadata.getFloat("absent", 0.5f));
        assertEquals(0.25, metadata.getDouble("absent", 0.25));
        assertEquals("d", metadata.getString("absent", "d"));
        assertTrue(metadata.getBoolean("absent", true));
        assertTrue(metadata.getBoolean("v.bool", false));
        assertTrue(metadata.findInt("absent").isEmpty());
        assertEquals(-128, metadata.findInt("v.int8").getAsInt());
        assertEquals(Optional.of("Ġthe 東京"), metadata.findString("v.string"));
        assertTrue(metadata.findStringList("absent").isEmpty());
        assertTrue(metadata.findFloat("absent").isEmpty());
        assertTrue(metadata.findIntArray("absent").isEmpty());
        ModelFormatExceptionAssert.assertMessage(() -> metadata.getInt("v.string", 1), file, "expected an integer");
    }

    @Test
    void arraysConvertToJavaTypes() {
        assertEquals(List.of("Ġ t", "", "a b"), metadata.getStringList("a.string"));
        assertArrayEquals(new int[] {1, 3, 3}, metadata.getIntArray("a.int32"));
        assertArrayEquals(new int[] {0, 200}, metadata.getIntArray("a.uint8"));
        assertArrayEquals(new int[] {60000}, metadata.getIntArray("a.uint16"));
        assertArrayEquals(new int[] {-1, 1}, metadata.getIntArray("a.int8"));
        assertArrayEquals(new float[] {0.5f, -0f}, metadata.getFloatArray("a.float32"));
        assertArrayEquals(new float[] {7, 8}, metadata.getFloatArray("a.uint32"));
        assertEquals(0, metadata.getFloatArray("a.empty").length);
        GgufArray nested = metadata.getArray("a.nested");
        assertEquals(GgufValueType.ARRAY, nested.elementType());
        assertEquals(3, nested.size());
        assertEquals(-2, nested.getArray(0).getLong(1));
        assertEquals("ÿ€🚀", nested.getArray(1).getString(1));
        assertEquals(0, nested.getArray(2).size());
        assertTrue(metadata.getArray("a.bool").getBoolean(0));
    }

    @Test
    void keysAndTypesAreListed() {
        assertTrue(metadata.contains("v.uint8"));
        assertFalse(metadata.contains("absent"));
        assertEquals(GgufRoundTripTest.everyValueType().size() + 1, metadata.keys().size());
        assertEquals(GgufValueType.FLOAT64, metadata.type("v.float64"));
    }
}
