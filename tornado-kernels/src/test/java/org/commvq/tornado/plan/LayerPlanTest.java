package org.commvq.tornado.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.commvq.cache.KvCache;
import org.commvq.cache.ModelShape;
import org.commvq.cache.Rope;
import org.commvq.cache.RopeParameters;
import org.commvq.cache.fp.Fp16KvCache;
import org.commvq.cache.fp.Fp32KvCache;
import org.commvq.model.forward.Activations;
import org.commvq.model.forward.LayerWeights;
import org.commvq.model.gguf.GgmlType;
import org.commvq.tornado.testing.Kernels;
import org.commvq.tornado.testing.RequiresFp16;
import org.commvq.tornado.testing.RequiresTornado;
import org.commvq.tornado.testing.Tolerance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.exceptions.TornadoExecutionPlanException;

/**
 * Layer plans decoding several tokens in a row against a plain-Java layer built from the product's pieces (the CPU
 * forward pass's RMSNorm and SwiGLU, the weight matrices, the cache's RoPE and a dense {@link KvCache}). Each step
 * feeds a fresh x, so a wrong cache row or position shows up in later steps. Two-layer runs hand x from one graph
 * to the next on the device. Tolerance 1e-4 + 1e-4·|expected| for fp32 caches; 3e-3 + 1e-3·|expected| for the
 * fp16 cache (the CPU attends the newest token unrounded, the device its half-precision copy).
 */
@RequiresTornado
class LayerPlanTest {
    private static final int DIM = 256;
    private static final int HEADS = 8;
    private static final int KV_HEADS = 2;
    private static final int HEAD_DIM = 32;
    private static final int FFN = 512;
    private static final int CAPACITY = 16;
    private static final int STEPS = 6;

    @ParameterizedTest(name = "{0} weights, {1} layer(s), group {2}")
    @CsvSource({"F32, 1, 256", "F32, 2, 64", "Q8_0, 2, 128"})
    void decodesLikeTheCpuLayer(GgmlType type, int layers, int group) {
        run(type, WeightFormat.valueOf(type.name()), KvPrecision.F32, layers, group, 1e-4, 1e-4);
    }

    @Test
    @RequiresFp16
    void decodesWithHalfWeightsAndHalfCache() {
        run(GgmlType.F16, WeightFormat.F16, KvPrecision.F16, 2, 256, 3e-3, 1e-3);
    }

    private static void run(GgmlType type, WeightFormat format, KvPrecision precision, int layers, int group,
                            double abs, double rel) {
        ModelShape shape = new ModelShape(layers, DIM, HEADS, KV_HEADS, HEAD_DIM, FFN, 1, 4 * CAPACITY, 1e-5f,
                RopeParameters.plain(10000));
        Random random = new Random(layers * 101L + type.ordinal());
        List<LayerWeights> weights = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            weights.add(TestLayers.random(random, DIM, FFN, shape.kvDim(), type));
        }

        DeviceMemoryBudget budget = new DeviceMemoryBudget(256L << 20);
        DecodeStep step = new DecodeStep(shape, CAPACITY, budget);
        ImmutableTaskGraph[] graphs = new ImmutableTaskGraph[layers];
        GridScheduler grids = new GridScheduler();
        String planName = Kernels.graphName("p") + "_";
        for (int l = 0; l < layers; l++) {
            String name = "layer" + l;
            LayerPlan plan = new LayerPlan(planName, shape, l, DeviceLayer.upload(weights.get(l), format, name, budget),
                    DeviceKvLayer.allocate(precision, name + ".kv", CAPACITY, shape.kvDim(), budget), step,
                    ResidualEdges.of(l, layers), group, budget);
            graphs[l] = plan.snapshot();
            plan.addGridsTo(grids);
        }

        KvCache cache = precision == KvPrecision.F32 ? new Fp32KvCache(shape, CAPACITY)
                : new Fp16KvCache(shape, CAPACITY);
        Rope rope = new Rope(shape.rope(), HEAD_DIM);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(graphs)) {
            plan.withGridScheduler(grids);
            for (int pos = 0; pos < STEPS; pos++) {
                float[] x = Kernels.uniform(random, DIM, 1f);
                for (int i = 0; i < DIM; i++) {
                    step.x().set(i, x[i]);
                }
                step.moveTo(pos);
                for (int l = 0; l < layers; l++) {
                    plan.withGraph(l).execute();
                }
                for (int l = 0; l < layers; l++) {
                    referenceLayer(shape, l, weights.get(l), cache, rope, x, pos);
                }
                Tolerance.assertClose(type + " x after step " + pos, x, step.x(), abs, rel);
            }
        } catch (TornadoExecutionPlanException e) {
            throw new IllegalStateException(e);
        } finally {
            // As ModelPlan does: a later case's arrays must not get host memory that this plan may have left pinned
            // (on the H100 this case once read a stale x, with CUDA's copy errors in stdout).
            budget.recycle();
        }
    }

    /** One block on the CPU, in the order of the CPU forward pass, updating x in place. */
    private static void referenceLayer(ModelShape s, int layer, LayerWeights w, KvCache cache, Rope rope, float[] x,
                                       int pos) {
        float[] xb = new float[s.dim()];
        float[] q = new float[s.queryDim()];
        float[] k = new float[s.kvDim()];
        float[] v = new float[s.kvDim()];
        float[] att = new float[s.queryDim()];
        float[] proj = new float[s.dim()];
        float[] gate = new float[s.ffnDim()];
        float[] up = new float[s.ffnDim()];
        Activations.rmsNorm(xb, 0, x, 0, w.attnNorm(), s.rmsEps());
        w.wq().matvec(xb, q);
        w.wk().matvec(xb, k);
        w.wv().matvec(xb, v);
        rope.rotate(q, 0, s.heads(), pos);
        cache.appendAndAttend(layer, pos, 1, q, k, v, att);
        w.wo().matvec(att, proj);
        add(x, proj);
        Activations.rmsNorm(xb, 0, x, 0, w.ffnNorm(), s.rmsEps());
        w.wGate().matvec(xb, gate);
        w.wUp().matvec(xb, up);
        Activations.swiGlu(gate, up, 0, s.ffnDim());
        w.wDown().matvec(gate, proj);
        add(x, proj);
    }

    private static void add(float[] x, float[] y) {
        for (int i = 0; i < x.length; i++) {
            x[i] += y[i];
        }
    }
}
