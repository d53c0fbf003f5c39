package org.commvq.tornado.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.commvq.model.forward.LayerWeights;
import org.commvq.model.gguf.GgmlType;
import org.junit.jupiter.api.Test;

import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.HalfFloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/** Accounting only: these tests create host-side native arrays and never touch a device. */
class DeviceMemoryBudgetTest {

    @Test
    void countsExactlyTheBytesOfEachNativeArray() {
        DeviceMemoryBudget budget = new DeviceMemoryBudget(1L << 20);
        FloatArray f = budget.floats("f", 1000);
        HalfFloatArray h = budget.halves("h", 1001);
        ByteArray b = budget.bytes("b", 1003);
        IntArray i = budget.ints("i", 7);
        long total = f.getNumBytesOfSegmentWithHeader() + h.getNumBytesOfSegmentWithHeader()
                + b.getNumBytesOfSegmentWithHeader() + i.getNumBytesOfSegmentWithHeader();
        assertEquals(total, budget.usedBytes());
        assertEquals(f.getNumBytesOfSegmentWithHeader(), budget.reservations().get("f"));
        assertEquals((1L << 20) - total, budget.freeBytes());
    }

    /**
     * Issue 6: host memory that TornadoVM's PTX backend may still have pinned must never be freed and handed to
     * another array. A recycled plan's arrays come back, zeroed, to the next plan that asks for the same sizes, and
     * every array starts on a page of its own.
     */
    @Test
    void recycledHostMemoryIsReusedZeroedAndPageAligned() {
        int n = 1237;
        DeviceMemoryBudget first = new DeviceMemoryBudget(1L << 20);
        FloatArray a = first.floats("a", n);
        IntArray position = first.perGraphInts(1);
        a.set(n - 1, 5f);
        position.set(0, 9);
        long address = a.getSegmentWithHeader().address();
        assertEquals(0, address % 4096);
        assertEquals(0, position.getSegmentWithHeader().address() % 4096);
        long bytes = a.getNumBytesOfSegmentWithHeader();
        int waiting = HostArrayPool.waiting(bytes);
        first.recycle();
        assertEquals(waiting + 1, HostArrayPool.waiting(bytes));

        DeviceMemoryBudget second = new DeviceMemoryBudget(1L << 20);
        FloatArray b = second.floats("b", n);
        assertEquals(address, b.getSegmentWithHeader().address());
        assertEquals(n, b.getSize());
        assertEquals(0f, b.get(n - 1));
        assertEquals(0, second.perGraphInts(1).get(0));
        assertEquals(waiting, HostArrayPool.waiting(bytes));
    }

    @Test
    void refusesBeforeAllocatingAndSaysByHowMuch() {
        DeviceMemoryBudget budget = new DeviceMemoryBudget(10_000);
        budget.floats("small", 1000);
        long before = budget.usedBytes();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> budget.floats("big", 5000));
        String m = e.getMessage();
        long need = DeviceMemoryBudget.arrayBytes(5000, Float.BYTES);
        assertTrue(m.contains("big needs " + String.format("%,d", need) + " bytes"), m);
        assertTrue(m.contains(String.format("%,d", before) + " bytes"), m);
        assertTrue(m.contains("budget is 10,000 bytes"), m);
        assertTrue(m.contains(String.format("%,d", before + need - 10_000) + " bytes"), m);
        assertEquals(before, budget.usedBytes());
        assertEquals(1, budget.reservations().size());
    }

    @Test
    void refusesALayerThatDoesNotFitNamingTheArrayThatOverflows() {
        LayerWeights w = TestLayers.random(new Random(1), 64, 128, 16, GgmlType.F32);
        DeviceMemoryBudget roomy = new DeviceMemoryBudget(1L << 30);
        DeviceLayer.upload(w, WeightFormat.F32, "layer0", roomy);
        DeviceMemoryBudget budget = new DeviceMemoryBudget(roomy.usedBytes() / 2);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DeviceLayer.upload(w, WeightFormat.F32, "layer0", budget));
        assertTrue(e.getMessage().startsWith("device memory budget exceeded: layer0."), e.getMessage());
        assertTrue(budget.usedBytes() <= budget.budgetBytes());
    }

    @Test
    void rejectsDuplicateNamesAndImpossibleLengths() {
        DeviceMemoryBudget budget = new DeviceMemoryBudget(1L << 40);
        budget.floats("a", 1);
        assertThrows(IllegalArgumentException.class, () -> budget.floats("a", 1));
        assertThrows(IllegalArgumentException.class, () -> budget.floats("huge", 1L << 31));
        assertThrows(IllegalArgumentException.class, () -> budget.floats("none", 0));
    }
}
