package org.commvq.tornado.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;

import org.commvq.cache.ModelShape;
import org.commvq.cache.Rope;
import org.commvq.cache.RopeParameters;
import org.commvq.cache.commvq.CommVqCodebooks;
import org.commvq.cache.commvq.CommVqKeyCodebook;
import org.commvq.cache.commvq.CommVqKvCache;
import org.commvq.cache.commvq.CommVqSyntheticCodebooks;
import org.commvq.cache.commvq.CommVqValueCodec;
import org.commvq.tornado.kernels.CommVqDeviceLayout;
import org.commvq.tornado.testing.Kernels;
import org.commvq.tornado.testing.RequiresTornado;
import org.commvq.tornado.testing.Tolerance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.exceptions.TornadoExecutionPlanException;

/**
 * One layer's CommVQ tasks on the device (encode when a block is due, tail append, key logits, value chunks,
 * combine), fed one token per step across three blocks, against two oracles:
 * <ul>
 *   <li>the attention the device's own stored codes imply, computed on the host in double precision by decoding every
 *       key with {@link CommVqKeyCodebook#decodeHead} and every value with {@link CommVqValueCodec#decode}, RoPE at
 *       each key's position and an exact softmax: 2e-4 absolute on outputs of magnitude about 1, the float
 *       summation order of the chunked softmax;</li>
 *   <li>the CPU's {@link CommVqKvCache} fed the same tokens: 3e-2 absolute, because the CPU keeps key norms and value
 *       scales in fp16 (the device keeps fp32: PoCL has no half floats), which moves logits by up to 2⁻¹¹ of their
 *       size, and a near-tie may pick another code.</li>
 * </ul>
 * Keys and values are fp16-exact, so the CPU's rounding before it encodes changes nothing.
 */
@RequiresTornado
class CommVqLayerTest {
    private static final int HEADS = 4;
    private static final int KV_HEADS = 2;
    private static final int HEAD_DIM = 128;
    private static final int CAPACITY = 512;
    private static final int STEPS = 260;
    private static final ModelShape SHAPE = new ModelShape(1, HEADS * HEAD_DIM, HEADS, KV_HEADS, HEAD_DIM, 256, 600,
            CAPACITY, 1e-5f, RopeParameters.llama3(500000, 8, 1, 4, 8192));

    @ParameterizedTest(name = "{0}-bit, {1} stages, group {2}")
    @CsvSource({"1, 11, 256", "2, 21, 128"})
    void attentionOverCodesMatchesItsDecodedReferenceAndTheCpuCache(int bits, int stages, int group) {
        CommVqCodebooks books = CommVqSyntheticCodebooks.create(SHAPE, stages, bits, 41 + bits);
        DeviceMemoryBudget budget = new DeviceMemoryBudget(1L << 30);
        DecodeStep step = new DecodeStep(SHAPE, CAPACITY, budget);
        DeviceCommVqLayer layer = DeviceCommVqLayer.allocate(books, 0, "l0", CAPACITY, SHAPE, budget);
        LayerScratch s = LayerScratch.allocate("g", SHAPE, CAPACITY, layer.codeBits(), budget);
        TaskGraph graph = new TaskGraph(Kernels.graphName("commvq"))
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, layer.arrays())
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, s.arrays())
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, s.q(), s.k(), s.v(), step.position());
        GridScheduler grids = new GridScheduler();
        layer.addAttention(LayerTasks.unprefixed(graph, grids, group, SHAPE), new KernelContext(), s, step);
        graph.transferToHost(DataTransferMode.EVERY_EXECUTION, s.att(), layer.codes(), layer.norms(), layer.bits(),
                layer.sigmas());

        CommVqKvCache cpu = new CommVqKvCache(SHAPE, CAPACITY, books);
        Rope rope = new Rope(SHAPE.rope(), HEAD_DIM);
        Random random = new Random(bits);
        float[] keys = new float[STEPS * SHAPE.kvDim()];
        float[] values = new float[STEPS * SHAPE.kvDim()];
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(graph.snapshot())) {
            plan.withGridScheduler(grids);
            for (int pos = 0; pos < STEPS; pos++) {
                float[] q = Kernels.uniform(random, SHAPE.queryDim(), 1f);
                rope.rotate(q, 0, HEADS, pos);
                float[] k = halves(Kernels.uniform(random, SHAPE.kvDim(), 2f));
                float[] v = halves(Kernels.uniform(random, SHAPE.kvDim(), 1f));
                System.arraycopy(k, 0, keys, pos * SHAPE.kvDim(), k.length);
                System.arraycopy(v, 0, values, pos * SHAPE.kvDim(), v.length);
                copy(q, s.q());
                copy(k, s.k());
                copy(v, s.v());
                step.moveTo(pos);
                plan.execute();

                float[] expected = new float[SHAPE.queryDim()];
                cpu.appendAndAttend(0, pos, 1, q, k, v, expected);
                if (pos % 61 == 0 || pos == 127 || pos == 128 || pos == 129 || pos == 256 || pos == STEPS - 1) {
                    float[] decoded = decodedReference(books, layer, rope, q, keys, values, pos);
                    Tolerance.assertClose("step " + pos + " vs decoded codes", decoded, s.att(), 2e-4, 0);
                    Tolerance.assertClose("step " + pos + " vs CPU cache", expected, s.att(), 3e-2, 0);
                }
            }
        } catch (TornadoExecutionPlanException e) {
            throw new IllegalStateException(e);
        } finally {
            budget.recycle();
        }
        assertEquals(256, cpu.compressedLength(0), "blocks the CPU compressed");
    }

    /** Attention at position pos over the device's stored codes and tail, in double. */
    private static float[] decodedReference(CommVqCodebooks books, DeviceCommVqLayer layer, Rope rope, float[] q,
                                            float[] keys, float[] values, int pos) {
        int kvDim = SHAPE.kvDim();
        int compressed = CommVqDeviceLayout.compressed(pos);
        int stages = books.stages();
        int codeBytes = CommVqDeviceLayout.tokenCodeBytes(KV_HEADS, stages);
        CommVqValueCodec codec = books.values().getFirst();
        int valueBytes = codec.codeBits() / 8;
        float[][] k = new float[pos + 1][kvDim];
        float[][] v = new float[pos + 1][kvDim];
        int[] codes = new int[stages];
        byte[] packed = new byte[valueBytes];
        for (int n = 0; n <= pos; n++) {
            if (n < compressed) {
                for (int h = 0; h < KV_HEADS; h++) {
                    for (int r = 0; r < stages; r++) {
                        codes[r] = CommVqDeviceLayout.readCode(layer.codes(), n * codeBytes, h * stages + r);
                    }
                    books.keys().decodeHead(0, h, codes, 0, layer.norms().get(n), k[n], h * HEAD_DIM);
                }
                Arrays.fill(packed, (byte) 0);
                for (int j = 0; j < codec.codeBits(); j++) {
                    packed[j >> 3] |= (byte) (CommVqDeviceLayout.valueBit(layer.bits(), codec.codeBits(), n, j)
                            << (j & 7));
                }
                codec.decode(packed, 0, layer.sigmas().get(n), v[n], 0);
            } else {
                System.arraycopy(keys, n * kvDim, k[n], 0, kvDim);
                System.arraycopy(values, n * kvDim, v[n], 0, kvDim);
            }
            rope.rotate(k[n], 0, KV_HEADS, n);
        }
        float[] out = new float[SHAPE.queryDim()];
        for (int h = 0; h < HEADS; h++) {
            int col = h / (HEADS / KV_HEADS) * HEAD_DIM;
            double[] logits = new double[pos + 1];
            double max = Double.NEGATIVE_INFINITY;
            for (int n = 0; n <= pos; n++) {
                double dot = 0;
                for (int d = 0; d < HEAD_DIM; d++) {
                    dot += (double) q[h * HEAD_DIM + d] * k[n][col + d];
                }
                logits[n] = dot / Math.sqrt(HEAD_DIM);
                max = Math.max(max, logits[n]);
            }
            double sum = 0;
            for (int n = 0; n <= pos; n++) {
                logits[n] = Math.exp(logits[n] - max);
                sum += logits[n];
            }
            for (int d = 0; d < HEAD_DIM; d++) {
                double acc = 0;
                for (int n = 0; n <= pos; n++) {
                    acc += logits[n] * v[n][col + d];
                }
                out[h * HEAD_DIM + d] = (float) (acc / sum);
            }
        }
        return out;
    }

    private static float[] halves(float[] v) {
        float[] out = Arrays.copyOf(v, v.length);
        for (int i = 0; i < out.length; i++) {
            out[i] = Float.float16ToFloat(Float.floatToFloat16(out[i]));
        }
        return out;
    }

    private static void copy(float[] src, uk.ac.manchester.tornado.api.types.arrays.FloatArray dst) {
        for (int i = 0; i < src.length; i++) {
            dst.set(i, src[i]);
        }
    }
}
