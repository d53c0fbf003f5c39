package org.commvq.tornado.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import org.commvq.model.gguf.GgmlType;
import org.commvq.model.tensor.LittleEndian;
import org.commvq.model.tensor.Q8_0Blocks;
import org.commvq.model.tensor.WeightMatrices;
import org.commvq.model.tensor.WeightMatrix;
import org.commvq.tornado.testing.Kernels;
import org.commvq.tornado.testing.TestWeights;
import org.junit.jupiter.api.Test;

/** Host-side conversions into device layouts: they must hold exactly the values the CPU path multiplies by. */
class WeightUploadTest {
    private static final int ROWS = 9;
    private static final int COLS = 96;

    @Test
    void q8UploadGivesBackTheFileBlocksBitForBit() {
        float[] values = Kernels.uniform(new Random(3), ROWS * COLS, 2f);
        MemorySegment blocks = Arena.ofAuto().allocate(GgmlType.Q8_0.byteSize((long) ROWS * COLS));
        Q8_0Blocks.quantize(values, 0, ROWS * COLS, blocks, 0);
        WeightMatrix m = WeightMatrices.create(GgmlType.Q8_0, blocks, ROWS, COLS);

        DeviceMatrix.Q8 d = WeightUpload.q8(m, "w", new DeviceMemoryBudget(1L << 20));
        int blocksPerRow = COLS / 32;
        for (int b = 0; b < ROWS * blocksPerRow; b++) {
            long at = (long) b * Q8_0Blocks.BLOCK_BYTES;
            assertEquals(Float.float16ToFloat(blocks.get(LittleEndian.SHORT, at)), d.scales().get(b), "scale " + b);
            for (int j = 0; j < 32; j++) {
                assertEquals(blocks.get(LittleEndian.BYTE, at + 2 + j), d.quants().getSegment().get(ValueLayout.JAVA_BYTE, b * 32L + j),
                        "quant " + b);
            }
        }
    }

    @Test
    void f32AndF16UploadsHoldTheRowsTheCpuReads() {
        float[] values = Kernels.uniform(new Random(4), ROWS * COLS, 2f);
        WeightMatrix f32 = TestWeights.matrix(GgmlType.F32, values, ROWS, COLS);
        WeightMatrix f16 = TestWeights.matrix(GgmlType.F16, values, ROWS, COLS);
        DeviceMemoryBudget budget = new DeviceMemoryBudget(1L << 20);
        DeviceMatrix.F32 d32 = WeightUpload.f32(f32, "w32", budget);
        DeviceMatrix.F16 d16 = WeightUpload.f16(f16, "w16", budget);
        float[] row32 = new float[COLS];
        float[] row16 = new float[COLS];
        for (int r = 0; r < ROWS; r++) {
            f32.row(r, row32, 0);
            f16.row(r, row16, 0);
            for (int j = 0; j < COLS; j++) {
                assertEquals(row32[j], d32.weights().get(r * COLS + j));
                assertEquals(row16[j], d16.weights().get(r * COLS + j).getFloat32());
            }
        }
    }
}
