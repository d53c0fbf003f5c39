package org.commvq.model.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import org.commvq.model.gguf.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Every weight type's Vector API kernels against its scalar oracle and an independent decoder. */
class WeightMatrixKernelsTest {
    private static final int ROWS = 5;

    static Stream<Arguments> shapes() {
        List<Arguments> out = new ArrayList<>();
        int[] floatCols = {1, 3, 15, 16, 17, 31, 63, 64, 65, 100, 511, 4097};
        int[] blockCols = {32, 64, 96, 160, 544, 4128};
        for (GgmlType type : new GgmlType[] {GgmlType.F32, GgmlType.F16, GgmlType.BF16}) {
            for (int cols : floatCols) {
                out.add(Arguments.of(type, cols));
            }
        }
        for (GgmlType type : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q4_0}) {
            for (int cols : blockCols) {
                out.add(Arguments.of(type, cols));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} cols")
    @MethodSource("shapes")
    void dotMatchesScalarOracleAndExactSum(GgmlType type, int cols) {
        Random random = new Random(cols * 31L + type.ordinal());
        try (Arena arena = Arena.ofShared()) {
            MemorySegment data = TestMatrices.encode(type, TestMatrices.gaussian(random, ROWS * cols, 0.05f), arena);
            WeightMatrix m = WeightMatrices.create(type, data, ROWS, cols);
            float[] w = ReferenceDecoder.decode(type.name(), data.toArray(LittleEndian.BYTE), ROWS * cols);
            int xOff = 7;
            float[] x = TestMatrices.gaussian(random, cols + xOff, 1f);
            for (int r = 0; r < ROWS; r++) {
                for (int off : new int[] {0, xOff}) {
                    double exact = TestMatrices.exactDot(w, r * cols, x, off, cols);
                    double tolerance = 2e-5 * TestMatrices.magnitude(w, r * cols, x, off, cols) + 1e-30;
                    float vector = m.dot(r, x, off);
                    float scalar = m.dotScalar(r, x, off);
                    assertEquals(exact, vector, tolerance, "dot row " + r + " xOff " + off);
                    assertEquals(exact, scalar, tolerance, "dotScalar row " + r + " xOff " + off);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} {1} cols")
    @MethodSource("shapes")
    void rowEqualsReferenceDecoding(GgmlType type, int cols) {
        Random random = new Random(cols * 17L + type.ordinal());
        try (Arena arena = Arena.ofShared()) {
            MemorySegment data = TestMatrices.encode(type, TestMatrices.gaussian(random, ROWS * cols, 1f), arena);
            WeightMatrix m = WeightMatrices.create(type, data, ROWS, cols);
            float[] expected = ReferenceDecoder.decode(type.name(), data.toArray(LittleEndian.BYTE), ROWS * cols);
            float[] actual = new float[ROWS * cols + 3];
            for (int r = 0; r < ROWS; r++) {
                m.row(r, actual, 3 + r * cols);
            }
            float[] rows = new float[ROWS * cols];
            System.arraycopy(actual, 3, rows, 0, rows.length);
            assertArrayEquals(expected, rows);
            assertArrayEquals(expected, WeightMatrices.toFloats(type, data, ROWS * cols));
        }
    }

    @ParameterizedTest(name = "{0} {1} cols")
    @MethodSource("shapes")
    void matvecAndMatmulMatchPlainLoops(GgmlType type, int cols) {
        Random random = new Random(cols * 7L + type.ordinal());
        // 37 rows and 6 inputs leave partial 4 × 4 tiles in both directions.
        int rows = 37;
        int n = 6;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment data = TestMatrices.encode(type, TestMatrices.gaussian(random, rows * cols, 0.1f), arena);
            WeightMatrix m = WeightMatrices.create(type, data, rows, cols);
            float[] w = ReferenceDecoder.decode(type.name(), data.toArray(LittleEndian.BYTE), rows * cols);
            float[] x = TestMatrices.gaussian(random, n * cols, 1f);
            float[] vec = new float[rows];
            m.matvec(x, vec);
            float[] mat = new float[n * rows];
            m.matmul(x, n, mat);
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < n; i++) {
                    double exact = TestMatrices.exactDot(w, r * cols, x, i * cols, cols);
                    double tolerance = 2e-5 * TestMatrices.magnitude(w, r * cols, x, i * cols, cols) + 1e-30;
                    assertEquals(exact, mat[i * rows + r], tolerance, "matmul input " + i + " row " + r);
                    if (i == 0) {
                        assertEquals(exact, vec[r], tolerance, "matvec row " + r);
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} {1} cols")
    @MethodSource("shapes")
    void stackedProductsMatchPlainLoops(GgmlType type, int cols) {
        Random random = new Random(cols * 11L + type.ordinal());
        int[] heights = {37, 5, 19};
        try (Arena arena = Arena.ofShared()) {
            WeightMatrix[] ms = new WeightMatrix[heights.length];
            float[][] w = new float[heights.length][];
            for (int m = 0; m < ms.length; m++) {
                MemorySegment data = TestMatrices.encode(type,
                        TestMatrices.gaussian(random, heights[m] * cols, 0.1f), arena);
                ms[m] = WeightMatrices.create(type, data, heights[m], cols);
                w[m] = ReferenceDecoder.decode(type.name(), data.toArray(LittleEndian.BYTE), heights[m] * cols);
            }
            // Against the exact sums with matvecAndMatmulMatchPlainLoops' tolerance, not bit for bit against the
            // separate products: the Vector API orders a lane reduction differently once C2 compiles it.
            for (int n : new int[] {1, 6}) {
                float[] x = TestMatrices.gaussian(random, n * cols, 1f);
                float[][] stacked = new float[ms.length][];
                for (int m = 0; m < ms.length; m++) {
                    stacked[m] = new float[n * heights[m]];
                }
                WeightMatrix.matmulAll(x, n, ms, stacked);
                for (int m = 0; m < ms.length; m++) {
                    for (int r = 0; r < heights[m]; r++) {
                        for (int i = 0; i < n; i++) {
                            double exact = TestMatrices.exactDot(w[m], r * cols, x, i * cols, cols);
                            double tolerance =
                                    2e-5 * TestMatrices.magnitude(w[m], r * cols, x, i * cols, cols) + 1e-30;
                            assertEquals(exact, stacked[m][i * heights[m] + r], tolerance,
                                    "matrix " + m + " row " + r + " input " + i + " of " + n);
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} with {1}-bit floats")
    @MethodSource("quantizedTypesAndWidths")
    void quantizedKernelsWorkForEveryVectorWidth(GgmlType type, int bits) {
        VectorSpecies<Float> species = VectorSpecies.of(float.class, VectorShape.forBitSize(bits));
        Random random = new Random(bits + type.ordinal());
        int cols = 32 * 9;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment data = TestMatrices.encode(type, TestMatrices.gaussian(random, ROWS * cols, 0.05f), arena);
            WeightMatrix m = WeightMatrices.create(type, data, ROWS, cols);
            float[] x = TestMatrices.gaussian(random, cols + 3, 1f);
            for (int r = 0; r < ROWS; r++) {
                float anyWidth = type == GgmlType.Q8_0 ? ((Q8_0Matrix) m).dotAnyWidth(species, r, x, 3)
                        : ((Q4_0Matrix) m).dotAnyWidth(species, r, x, 3);
                float[] w = new float[cols];
                m.row(r, w, 0);
                double tolerance = 2e-5 * TestMatrices.magnitude(w, 0, x, 3, cols);
                assertEquals(TestMatrices.exactDot(w, 0, x, 3, cols), anyWidth, tolerance, "row " + r);
            }
        }
    }

    static Stream<Arguments> quantizedTypesAndWidths() {
        return Stream.of(GgmlType.Q8_0, GgmlType.Q4_0)
                .flatMap(t -> Stream.of(128, 256, 512).map(bits -> Arguments.of(t, bits)));
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0"})
    void heapSegmentsGiveTheSameDotsAsNativeOnes(GgmlType type) {
        Random random = new Random(5);
        int cols = 256;
        float[] values = TestMatrices.gaussian(random, 2 * cols, 1f);
        byte[] bytes = new byte[(int) type.byteSize(values.length)];
        MemorySegment heap = MemorySegment.ofArray(bytes);
        WeightMatrices.encode(type, values, 0, values.length, heap, 0);
        float[] x = TestMatrices.gaussian(random, cols, 1f);
        try (Arena arena = Arena.ofShared()) {
            WeightMatrix onHeap = WeightMatrices.create(type, heap, 2, cols);
            WeightMatrix offHeap = WeightMatrices.create(type, TestMatrices.encode(type, values, arena), 2, cols);
            float[] w = new float[cols];
            offHeap.row(1, w, 0);
            double exact = TestMatrices.exactDot(w, 0, x, 0, cols);
            double tolerance = 2e-5 * TestMatrices.magnitude(w, 0, x, 0, cols);
            // Against the exact sum rather than bit for bit: a lane reduction can be ordered differently once C2
            // compiles the kernel, so two calls may differ in the last bit (seen once on a fresh clone).
            assertEquals(exact, offHeap.dot(1, x, 0), tolerance, "native segment");
            assertEquals(exact, onHeap.dot(1, x, 0), tolerance, "heap segment");
        }
    }

    @Test
    void f16KernelWidensEveryFiniteHalfExactly() {
        // 63488 finite halves (all bit patterns but exponent 31) fill a 992 × 64 matrix; multiplying by unit
        // vectors reads each one back through the vector conversion, subnormals and signed zeros included.
        byte[] bytes = new byte[63488 * 2];
        int n = 0;
        for (int h = 0; h < 65536; h++) {
            if (((h >> 10) & 31) != 31) {
                bytes[2 * n] = (byte) h;
                bytes[2 * n + 1] = (byte) (h >> 8);
                n++;
            }
        }
        checkUnitVectorProducts(new F16Matrix(MemorySegment.ofArray(bytes), 992, 64), "F16", bytes);
    }

    @Test
    void bf16KernelWidensEveryFiniteBfloatExactly() {
        byte[] bytes = new byte[65280 * 2];
        int n = 0;
        for (int h = 0; h < 65536; h++) {
            if (((h >> 7) & 255) != 255) {
                bytes[2 * n] = (byte) h;
                bytes[2 * n + 1] = (byte) (h >> 8);
                n++;
            }
        }
        checkUnitVectorProducts(new BF16Matrix(MemorySegment.ofArray(bytes), 1020, 64), "BF16", bytes);
    }

    private static void checkUnitVectorProducts(WeightMatrix m, String type, byte[] bytes) {
        float[] expected = ReferenceDecoder.decode(type, bytes, m.rows() * m.cols());
        float[] out = new float[m.rows()];
        for (int j = 0; j < m.cols(); j++) {
            float[] unit = new float[m.cols()];
            unit[j] = 1;
            m.matvec(unit, out);
            for (int r = 0; r < m.rows(); r++) {
                float e = expected[r * m.cols() + j];
                assertEquals(e, out[r], 0f, type + " dot element (" + r + "," + j + ")");
                assertEquals(e, m.dotScalar(r, unit, 0), 0f, type + " dotScalar element (" + r + "," + j + ")");
            }
        }
    }

    @Test
    void constructorsRejectWrongSegmentSizesAndPartialBlocks() {
        MemorySegment segment = MemorySegment.ofArray(new byte[34 * 4]);
        assertThrows(IllegalArgumentException.class, () -> new Q8_0Matrix(segment, 2, 48));
        assertThrows(IllegalArgumentException.class, () -> new Q8_0Matrix(segment, 3, 32));
        assertThrows(IllegalArgumentException.class, () -> new F32Matrix(segment, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> new F16Matrix(segment, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> new Q4_0Matrix(MemorySegment.ofArray(new byte[18]), 1,
                16));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WeightMatrices.create(GgmlType.Q4_K, segment, 1, 256));
        assertTrue(e.getMessage().contains("Q4_K") && e.getMessage().contains("Q8_0"), e.getMessage());
    }

    @Test
    void typeNamesAndSizesAreReported() {
        Random random = new Random(1);
        try (Arena arena = Arena.ofShared()) {
            for (GgmlType type : new GgmlType[] {GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0,
                    GgmlType.Q4_0}) {
                MemorySegment data = TestMatrices.encode(type, TestMatrices.gaussian(random, 3 * 64, 1f), arena);
                WeightMatrix m = WeightMatrices.create(type, data, 3, 64);
                assertEquals(type.name(), m.typeName());
                assertEquals(type.byteSize(3 * 64), m.byteSize());
                assertEquals(3, m.rows());
                assertEquals(64, m.cols());
            }
        }
    }
}
