package org.commvq.cache.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.commvq.cache.commvq.CommVqCodebookFile;
import org.commvq.cache.commvq.CommVqCodebooks;
import org.commvq.cache.commvq.CommVqKeyCodebook;
import org.commvq.cache.commvq.CommVqTensor;
import org.commvq.cache.commvq.CommVqValueCodec;
import org.commvq.cache.commvq.CommVqValueParameters;

/**
 * Trains a CommVQ codebook file from a KV collection, layer by layer: key codebooks per KV head (EM, or E2E),
 * then the layer's value compressor, then the layer's reconstruction errors measured with the cache's own encoders
 * (and, for a collection with queries, the attention-output error of the values).
 * Each finished layer is checkpointed, so a rerun with the same settings continues after the last finished layer;
 * every random draw derives from (seed, layer, head, stage), so a resumed run writes the same file as an
 * uninterrupted one, on any thread count.
 */
public final class CommVqTraining {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String THETA = "key_theta";
    private static final String VALUE = "value.";

    private CommVqTraining() {
    }

    public enum KeyMethod { EM, E2E }

    /**
     * @param stages        R key stages (11 for 1-bit, 21 for 2-bit)
     * @param keyIterations EM: most iterations per stage; E2E: epochs
     * @param keyTokens     tokens per layer the keys train on (the collection's first ones)
     * @param valueTokens   tokens per layer the value compressor trains on
     * @param keysFrom      a CommVQ file whose first R key stages to take instead of training keys (null: train)
     */
    public record Settings(int stages, KeyMethod keyMethod, int keyIterations, int initTokens, double e2eLearningRate,
                           int e2eBatch, long keyTokens, ValueTrainer.Settings values, long valueTokens, long seed,
                           Path keysFrom) {
        public Settings {
            if (stages < 1 || keyIterations < 0 || initTokens < 1 || e2eBatch < 1 || keyTokens < 1
                    || valueTokens < 1) {
                throw new IllegalArgumentException("CommVQ training needs positive stages, init tokens, batch and"
                        + " tokens, and iterations >= 0");
            }
        }

        public int bits() {
            return values.bits();
        }

        /**
         * Everything stage r of the keys depends on besides r itself. Stages are trained greedily, each from the
         * residuals of the ones before and its own (seed, layer, head, stage) draws, so two runs that agree on this
         * agree on every stage they share: a 1-bit run's 11 stages are the first 11 of the 2-bit run's 21.
         */
        String keySettings(KvCollection kv) {
            String collection = KvCollection.toJson(kv.manifest().keysAndValues());
            return keyMethod + "/" + keyIterations + "/" + initTokens + "/" + e2eLearningRate + "/" + e2eBatch + "/"
                    + seed + "/" + keyTokens + "/" + KeyPrefix.digest(collection);
        }
    }

    /**
     * One layer's outcome: relative reconstruction errors Σ‖x − x̂‖²/Σ‖x‖² over all heads, measured with the
     * cache's encoders on the training tokens, and wall-clock seconds. {@code attentionError} is
     * Σ‖(A·V̂ − A·V)·W_oᵀ‖²/Σ‖A·V·W_oᵀ‖² over the value training windows, NaN when the collection has no queries.
     */
    public record LayerReport(int layer, int keyTokens, int valueTokens, double keyError, double valueError,
                              double attentionError, double keySeconds, double valueSeconds, boolean resumed) {
        public String line() {
            return String.format(Locale.ROOT, "layer %d: keys rel. error %.5f (%d tokens, %.1f s), values rel. error"
                    + " %.5f%s (%d tokens, %.1f s)%s", layer, keyError, keyTokens, keySeconds, valueError,
                    Double.isNaN(attentionError) ? "" : String.format(Locale.ROOT, ", attention output %.5f",
                            attentionError), valueTokens, valueSeconds, resumed ? " (from checkpoint)" : "");
        }
    }

    public record Result(CommVqCodebooks codebooks, List<LayerReport> layers) {
    }

    /** Hears each finished (checkpointed) layer; a test can throw here to simulate a killed run. */
    public interface LayerListener {
        void finished(LayerReport report);
    }

    public static Result train(KvCollection kv, Settings s, Path output, Progress progress, LayerListener listener) {
        KvManifest m = kv.manifest();
        if (s.values().loss() == ValueTrainer.Loss.ATTENTION && !m.queries()) {
            throw new IllegalArgumentException("the attention-output value loss needs queries and W_o, and this"
                    + " collection (from an older collect-kv) has none; collect again, or train with --value-loss"
                    + " mse");
        }
        LayerCheckpoints checkpoints = new LayerCheckpoints(output, canonical(kv, s));
        KeyPrefix prefix = s.keysFrom() == null ? null : KeyPrefix.read(s.keysFrom(), m, s.stages(),
                s.keySettings(kv));
        int heads = m.kvHeads();
        int keyUnits = heads * (s.keyMethod() == KeyMethod.EM ? s.stages() : s.keyIterations());
        float[][] thetas = new float[m.layers()][];
        List<CommVqValueCodec> codecs = new ArrayList<>();
        List<LayerReport> reports = new ArrayList<>();
        for (int l = 0; l < m.layers(); l++) {
            Optional<LayerCheckpoints.Layer> done = checkpoints.load(l);
            LayerReport report;
            CommVqValueParameters values;
            if (done.isPresent()) {
                thetas[l] = done.get().tensors().get(THETA);
                values = CommVqValueParameters.fromTensors(asCommVq(done.get()), VALUE);
                report = readReport(done.get().report());
                progress.skip(keyUnits + s.values().epochs());
            } else {
                long start = System.nanoTime();
                float[] keys = kv.layer(l, KvCollection.KvKind.KEYS, s.keyTokens());
                if (prefix != null) {
                    thetas[l] = prefix.layer(l);
                    progress.advance(keyUnits);
                } else {
                    thetas[l] = trainKeys(keys, m, s, l, progress);
                }
                double keySeconds = (System.nanoTime() - start) / 1e9;
                start = System.nanoTime();
                float[] v = kv.layer(l, KvCollection.KvKind.VALUES, s.valueTokens());
                LayerAttention attention = m.queries()
                        ? LayerAttention.load(kv, l, s.valueTokens(), s.values().window()) : null;
                values = halfPrecision(ValueTrainer.train(v, v.length / m.kvDim(), m.kvDim(), s.values(),
                        s.values().loss() == ValueTrainer.Loss.ATTENTION ? attention : null, l,
                        e -> progress.advance(1)));
                double valueSeconds = (System.nanoTime() - start) / 1e9;
                CommVqKeyCodebook book = new CommVqKeyCodebook(heads, s.stages(), m.headDim() / 2,
                        new float[][] {thetas[l]});
                CommVqValueCodec codec = new CommVqValueCodec(values);
                report = new LayerReport(l, keys.length / m.kvDim(), v.length / m.kvDim(),
                        Reconstruction.keys(book, keys), Reconstruction.values(codec, v),
                        attention == null ? Double.NaN : Reconstruction.attentionOutput(codec, v, attention),
                        keySeconds, valueSeconds, false);
                save(checkpoints, l, thetas[l], book, values, report);
            }
            codecs.add(new CommVqValueCodec(values));
            reports.add(report);
            progress.note(report.line());
            listener.finished(report);
        }
        CommVqCodebooks books = new CommVqCodebooks(new CommVqKeyCodebook(heads, s.stages(), m.headDim() / 2, thetas),
                codecs);
        CommVqCodebookFile.write(output, CommVqCodebookFile.header(m.model(), books, provenance(kv, s, reports)),
                books);
        checkpoints.delete();
        return new Result(books, reports);
    }

    /** θ of one layer, [H][R][P][64][2], rounded to half precision. */
    private static float[] trainKeys(float[] keys, KvManifest m, Settings s, int layer, Progress progress) {
        int heads = m.kvHeads();
        int n = keys.length / m.kvDim();
        int headSize = s.stages() * (m.headDim() / 2) * CommVqKeyCodebook.ENTRIES * 2;
        float[] theta = new float[heads * headSize];
        for (int h = 0; h < heads; h++) {
            KeyHeadData data = KeyHeadData.of(keys, n, heads, h, m.headDim());
            KeyEmTrainer.HeadResult r = s.keyMethod() == KeyMethod.EM
                    ? KeyEmTrainer.train(data, new KeyEmTrainer.Settings(s.stages(), s.keyIterations(),
                            CommVqKeyCodebook.ENTRIES, s.seed(), s.initTokens()), layer, h, st -> progress.advance(1))
                    : KeyE2eTrainer.train(data, new KeyE2eTrainer.Settings(s.stages(), s.keyIterations(),
                            CommVqKeyCodebook.ENTRIES, s.seed(), s.e2eLearningRate(), s.e2eBatch()), layer, h,
                            e -> progress.advance(1));
            System.arraycopy(r.theta(), 0, theta, h * headSize, headSize);
        }
        return Half.round(theta);
    }

    private static CommVqValueParameters halfPrecision(CommVqValueParameters p) {
        return new CommVqValueParameters(Half.round(p.embedding()), Half.round(p.normWeight()),
                Half.round(p.normBias()), Half.round(p.enc1Weight()), Half.round(p.enc1Bias()),
                Half.round(p.outWeight()), Half.round(p.outBias()), Half.round(p.scale()));
    }

    private static void save(LayerCheckpoints checkpoints, int layer, float[] theta, CommVqKeyCodebook book,
                             CommVqValueParameters values, LayerReport report) {
        Map<String, float[]> tensors = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        tensors.put(THETA, theta);
        shapes.put(THETA, new long[] {book.kvHeads(), book.stages(), book.pairs(), CommVqKeyCodebook.ENTRIES, 2});
        values.toTensors(VALUE).forEach((name, t) -> {
            tensors.put(name, t.data());
            long[] shape = new long[t.shape().length];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = t.shape()[i];
            }
            shapes.put(name, shape);
        });
        checkpoints.save(layer, tensors, shapes, writeReport(report));
    }

    private static Map<String, CommVqTensor> asCommVq(LayerCheckpoints.Layer layer) {
        Map<String, CommVqTensor> out = new LinkedHashMap<>();
        layer.tensors().forEach((name, data) -> {
            long[] shape = layer.shapes().get(name);
            int[] s = new int[shape.length];
            for (int i = 0; i < s.length; i++) {
                s[i] = Math.toIntExact(shape[i]);
            }
            out.put(name, new CommVqTensor(s, data));
        });
        return out;
    }

    /** Everything a layer's result depends on: the collection, the token count, and every setting. */
    static String canonical(KvCollection kv, Settings s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("collection", KvCollection.toJson(kv.manifest()));
        m.put("settings", s.toString());
        return write(m);
    }

    private static Map<String, Object> provenance(KvCollection kv, Settings s, List<LayerReport> reports) {
        KvManifest m = kv.manifest();
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("tool", "commvq train-codebook");
        p.put("key_training", s.keyMethod().name().toLowerCase(Locale.ROOT));
        p.put(KeyPrefix.KEY_SETTINGS, s.keySettings(kv));
        if (s.keysFrom() != null) {
            p.put("keys_from", s.keysFrom().getFileName().toString());
        }
        p.put("key_iterations", s.keyIterations());
        p.put("key_init_tokens", s.initTokens());
        if (s.keyMethod() == KeyMethod.E2E) {
            p.put("e2e_learning_rate", s.e2eLearningRate());
            p.put("e2e_batch", s.e2eBatch());
        }
        p.put("value_hidden", s.values().hidden());
        p.put("value_epochs", s.values().epochs());
        p.put("value_batch", s.values().batch());
        p.put("value_learning_rate", s.values().learningRate());
        if (s.values().loss() == ValueTrainer.Loss.ATTENTION) {
            p.put("value_loss", "0.5*mse(v_hat, v) + mse((A*v_hat - A*v)*W_o^T)");
            p.put("value_window", s.values().window());
        } else {
            p.put("value_loss", "0.5*mse(v_hat, v)");
        }
        p.put("seed", s.seed());
        p.put("key_tokens_per_layer", reports.isEmpty() ? 0 : reports.get(0).keyTokens());
        p.put("value_tokens_per_layer", reports.isEmpty() ? 0 : reports.get(0).valueTokens());
        p.put("kv_model_file", m.modelFile());
        p.put("kv_sources", m.sources());
        p.put("kv_split", m.split());
        p.put("kv_seq_len", m.seqLen());
        List<Map<String, Object>> layers = new ArrayList<>();
        for (LayerReport r : reports) {
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("layer", r.layer());
            l.put("key_relative_error", r.keyError());
            l.put("value_relative_error", r.valueError());
            if (!Double.isNaN(r.attentionError())) {
                l.put("attention_output_relative_error", r.attentionError());
            }
            layers.add(l);
        }
        p.put("layers", layers);
        return p;
    }

    static String writeReport(LayerReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("layer", r.layer());
        m.put("key_tokens", r.keyTokens());
        m.put("value_tokens", r.valueTokens());
        m.put("key_error", r.keyError());
        m.put("value_error", r.valueError());
        if (!Double.isNaN(r.attentionError())) {
            m.put("attention_error", r.attentionError());
        }
        m.put("key_seconds", r.keySeconds());
        m.put("value_seconds", r.valueSeconds());
        return write(m);
    }

    static LayerReport readReport(String json) {
        try {
            JsonNode n = JSON.readTree(json);
            return new LayerReport(n.path("layer").asInt(), n.path("key_tokens").asInt(),
                    n.path("value_tokens").asInt(), n.path("key_error").asDouble(),
                    n.path("value_error").asDouble(), n.path("attention_error").asDouble(Double.NaN),
                    n.path("key_seconds").asDouble(),
                    n.path("value_seconds").asDouble(), true);
        } catch (IOException e) {
            throw new UncheckedIOException("layer checkpoint report is not JSON: " + e.getMessage(), e);
        }
    }

    private static String write(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
