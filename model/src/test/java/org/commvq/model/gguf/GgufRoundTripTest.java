package org.commvq.model.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import org.commvq.model.tensor.WeightMatrices;
import org.commvq.model.tensor.WeightMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the writer writes, the reader reads back: metadata of every type, tensors of every supported type. */
class GgufRoundTripTest {
    @TempDir
    Path dir;

    static Map<String, GgufValue> everyValueType() {
        GgufArray nested = GgufArray.ofArrays(List.of(GgufArray.ofInt32(new int[] {1, -2}),
                GgufArray.ofStrings(List.of("x", "ÿ€🚀")), GgufArray.ofArrays(List.of())));
        return Map.ofEntries(
                Map.entry("v.uint8", GgufValue.ofUInt8(255)),
                Map.entry("v.int8", GgufValue.ofInt8(-128)),
                Map.entry("v.uint16", GgufValue.ofUInt16(65535)),
                Map.entry("v.int16", GgufValue.ofInt16(-32768)),
                Map.entry("v.uint32", GgufValue.ofUInt32(0xFFFF_FFFFL)),
                Map.entry("v.int32", GgufValue.ofInt32(Integer.MIN_VALUE)),
                Map.entry("v.float32", GgufValue.ofFloat32(1e-5f)),
                Map.entry("v.bool", GgufValue.ofBool(true)),
                Map.entry("v.string", GgufValue.ofString("Ġthe 東京")),
                Map.entry("v.uint64", GgufValue.ofUInt64(-1L)),
                Map.entry("v.int64", GgufValue.ofInt64(Long.MIN_VALUE)),
                Map.entry("v.float64", GgufValue.ofFloat64(Math.PI)),
                Map.entry("a.uint8", GgufValue.ofArray(GgufArray.ofUInt8(new byte[] {0, (byte) 200}))),
                Map.entry("a.int8", GgufValue.ofArray(GgufArray.ofInt8(new byte[] {-1, 1}))),
                Map.entry("a.uint16", GgufValue.ofArray(GgufArray.ofUInt16(new short[] {(short) 60000}))),
                Map.entry("a.int16", GgufValue.ofArray(GgufArray.ofInt16(new short[] {-3}))),
                Map.entry("a.uint32", GgufValue.ofArray(GgufArray.ofUInt32(new int[] {7, 8}))),
                Map.entry("a.int32", GgufValue.ofArray(GgufArray.ofInt32(new int[] {1, 3, 3}))),
                Map.entry("a.float32", GgufValue.ofArray(GgufArray.ofFloat32(new float[] {0.5f, -0f}))),
                Map.entry("a.bool", GgufValue.ofArray(GgufArray.ofBool(new boolean[] {true, false}))),
                Map.entry("a.string", GgufValue.ofArray(GgufArray.ofStrings(List.of("Ġ t", "", "a b")))),
                Map.entry("a.uint64", GgufValue.ofArray(GgufArray.ofUInt64(new long[] {1L << 40}))),
                Map.entry("a.int64", GgufValue.ofArray(GgufArray.ofInt64(new long[] {-5}))),
                Map.entry("a.float64", GgufValue.ofArray(GgufArray.ofFloat64(new double[] {1e300}))),
                Map.entry("a.nested", GgufValue.ofArray(nested)),
                Map.entry("a.empty", GgufValue.ofArray(GgufArray.ofFloat32(new float[0]))));
    }

    @Test
    void metadataOfEveryTypeRoundTrips() throws IOException {
        Path file = dir.resolve("meta.gguf");
        GgufWriter writer = new GgufWriter();
        everyValueType().forEach(writer::put);
        writer.write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            assertEquals(3, gguf.version());
            assertEquals(everyValueType(), gguf.metadata().asMap());
            assertTrue(gguf.tensors().isEmpty());
        }
    }

    @Test
    void metadataKeepsFileOrder() throws IOException {
        Path file = dir.resolve("order.gguf");
        new GgufWriter().putString("z", "1").putString("a", "2").putString("m", "3").write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            assertEquals(List.of("z", "a", "m"), new ArrayList<>(gguf.metadata().keys()));
        }
    }

    @Test
    void tensorsOfEverySupportedTypeRoundTrip() throws IOException {
        Random random = new Random(3);
        Path file = dir.resolve("tensors.gguf");
        GgufWriter writer = new GgufWriter();
        List<GgmlType> types = List.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0);
        List<float[]> values = new ArrayList<>();
        for (GgmlType type : types) {
            float[] v = new float[96 * 5];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) random.nextGaussian();
            }
            values.add(v);
            writer.addTensor("t." + type, type, new long[] {96, 5}, v);
        }
        writer.addTensor("norm", GgmlType.F32, new long[] {7}, new float[] {1, 2, 3, 4, 5, 6, 7});
        writer.write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            assertEquals(types.size() + 1, gguf.tensors().size());
            assertEquals(32, gguf.alignment());
            for (int k = 0; k < types.size(); k++) {
                GgmlType type = types.get(k);
                GgufTensor t = gguf.tensor("t." + type);
                assertEquals(type, t.type());
                assertArrayEquals(new long[] {96, 5}, t.dims());
                assertEquals(480, t.elementCount());
                assertEquals(type.byteSize(480), t.byteSize());
                assertEquals(gguf.dataOffset() + t.offset(), t.fileOffset());
                assertEquals(0, t.offset() % 32);
                byte[] expected = new byte[(int) type.byteSize(480)];
                WeightMatrices.encode(type, values.get(k), 0, 480, MemorySegment.ofArray(expected), 0);
                assertArrayEquals(expected, t.data().toArray(ValueLayout.JAVA_BYTE));
                WeightMatrix m = t.matrix();
                assertEquals(5, m.rows());
                assertEquals(96, m.cols());
                assertEquals(type.name(), m.typeName());
                float[] row = new float[96];
                m.row(4, row, 0);
                float[] all = t.toFloats();
                for (int j = 0; j < 96; j++) {
                    assertEquals(all[4 * 96 + j], row[j]);
                }
                if (type == GgmlType.F32) {
                    assertArrayEquals(values.get(k), all);
                }
            }
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7}, gguf.tensor("norm").toFloats());
            ModelFormatExceptionAssert.assertMessage(() -> gguf.tensor("norm").matrix(), file, "tensor 'norm'",
                    "expected a 2-D matrix");
            ModelFormatExceptionAssert.assertMessage(() -> gguf.tensor("absent"), file, "missing tensor 'absent'");
            assertFalse(gguf.hasTensor("absent"));
            assertTrue(gguf.findTensor("norm").isPresent());
        }
    }

    @Test
    void versionTwoFilesAreRead() throws IOException {
        Path file = dir.resolve("v2.gguf");
        GgufFixtures.sampleWriter().version(2).write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            assertEquals(2, gguf.version());
            assertEquals("llama", gguf.metadata().getString("general.architecture"));
            assertEquals(3, gguf.tensors().size());
        }
    }

    @Test
    void customAlignmentIsHonoured() throws IOException {
        Path file = dir.resolve("align.gguf");
        GgufFixtures.sampleWriter().putUInt32("general.alignment", 256).write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            assertEquals(256, gguf.alignment());
            assertEquals(0, gguf.dataOffset() % 256);
            for (GgufTensor t : gguf.tensors()) {
                assertEquals(0, t.fileOffset() % 256, t.name());
            }
            assertEquals(0, gguf.fileSize() % 256);
        }
    }

    @Test
    void trailingUnitDimensionsStillMakeAMatrix() throws IOException {
        Path file = dir.resolve("unit.gguf");
        new GgufWriter().addTensor("m", GgmlType.F32, new long[] {4, 2, 1, 1}, new float[8]).write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            assertEquals(2, gguf.tensor("m").matrix().rows());
        }
    }

    @Test
    void sourcesArePulledInOrderInBoundedChunks() throws IOException {
        Path file = dir.resolve("stream.gguf");
        int rows = 7;
        int cols = 32 * 1000;
        long[] next = {0};
        int[] largest = {0};
        FloatSource generator = (first, dst, count) -> {
            assertEquals(next[0], first, "chunks must come in order");
            largest[0] = Math.max(largest[0], count);
            for (int i = 0; i < count; i++) {
                dst[i] = (float) Math.sin(first + i);
            }
            next[0] += count;
        };
        new GgufWriter().addTensor("big", GgmlType.Q8_0, new long[] {cols, rows}, generator).write(file);
        assertEquals((long) rows * cols, next[0]);
        assertTrue(largest[0] < rows * cols, "the writer must not ask for everything at once");
        try (GgufFile gguf = GgufFile.open(file)) {
            WeightMatrix m = gguf.tensor("big").matrix();
            float[] row = new float[cols];
            m.row(rows - 1, row, 0);
            for (int j = 0; j < cols; j += 997) {
                assertEquals(Math.sin((double) (rows - 1) * cols + j), row[j], 0.01);
            }
        }
    }

    @Test
    void failedWritesLeaveNoFileBehind() throws IOException {
        Path file = dir.resolve("failed.gguf");
        GgufWriter writer = new GgufWriter().addTensor("t", GgmlType.F32, new long[] {4}, (first, dst, count) -> {
            throw new IllegalStateException("source failed");
        });
        assertThrows(IllegalStateException.class, () -> writer.write(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void writesReplaceExistingFilesAtomically() throws IOException {
        Path file = dir.resolve("model.gguf");
        Files.writeString(file, "old contents");
        GgufFixtures.sampleWriter().write(file);
        try (GgufFile gguf = GgufFile.open(file)) {
            assertEquals(3, gguf.tensors().size());
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
    }

    @Test
    void writerRefusesBadDeclarations() {
        GgufWriter writer = new GgufWriter().addTensor("a", GgmlType.F32, new long[] {2}, new float[2]);
        assertThrows(IllegalArgumentException.class, () -> writer.addTensor("a", GgmlType.F32, new long[] {2},
                new float[2]));
        assertThrows(IllegalArgumentException.class, () -> writer.addTensor("b", GgmlType.Q8_0, new long[] {48, 2},
                new float[96]));
        assertThrows(IllegalArgumentException.class, () -> writer.addTensor("c", GgmlType.F32, new long[] {0},
                new float[0]));
        assertThrows(IllegalArgumentException.class, () -> writer.addTensor("d", GgmlType.F32, new long[] {3},
                new float[2]));
        assertThrows(IllegalArgumentException.class, () -> writer.addTensor("e", GgmlType.Q4_K, new long[] {256},
                new float[256]));
        assertThrows(IllegalArgumentException.class, () -> writer.addRawTensor("f", GgmlType.F16, new long[] {4},
                MemorySegment.ofArray(new byte[7])));
        assertThrows(IllegalArgumentException.class, () -> writer.putUInt32("general.alignment", 24));
        assertThrows(IllegalArgumentException.class, () -> GgufValue.ofUInt8(256));
        assertThrows(IllegalArgumentException.class, () -> GgufValue.ofUInt32(-1));
    }
}
