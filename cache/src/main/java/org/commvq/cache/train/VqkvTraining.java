package org.commvq.cache.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.commvq.cache.codebook.CodebookHeader;
import org.commvq.cache.vqkv.ResidualCodebook;
import org.commvq.cache.vqkv.VqkvCodebookFile;
import org.commvq.cache.vqkv.VqkvCodebookTrainer;
import org.commvq.cache.vqkv.VqkvCodebooks;

/**
 * Trains a VQKV codebook file from a KV collection (spec §2): per layer, residual k-means on all KV heads' pre-RoPE
 * key slices (the cache's choice, see {@link org.commvq.cache.vqkv.VqkvKvCache}), and separately on the value
 * slices, with {@link VqkvCodebookTrainer}. Layers are checkpointed like {@link CommVqTraining}'s.
 */
public final class VqkvTraining {
    private static final String KEYS = "keys";
    private static final String VALUES = "values";

    private VqkvTraining() {
    }

    /**
     * @param keyStages   entries per key stage, e.g. 64 stages of 16
     * @param valueStages entries per value stage
     * @param iterations  most Lloyd steps per stage
     */
    public record Settings(int[] keyStages, int[] valueStages, int iterations, long seed, long maxTokens) {
        public Settings {
            keyStages = keyStages.clone();
            valueStages = valueStages.clone();
        }

        String canonical() {
            return Arrays.toString(keyStages) + "/" + Arrays.toString(valueStages) + "/" + iterations + "/" + seed
                    + "/" + maxTokens;
        }
    }

    /** Relative errors Σ‖x − x̂‖²/Σ‖x‖² of one layer over its heads, and the seconds it took. */
    public record LayerReport(int layer, int tokens, double keyError, double valueError, double seconds,
                              boolean resumed) {
        public String line() {
            return String.format(Locale.ROOT, "layer %d: keys rel. error %.5f, values rel. error %.5f (%.1f s), %d"
                    + " tokens%s", layer, keyError, valueError, seconds, tokens, resumed ? " (from checkpoint)" : "");
        }
    }

    public record Result(VqkvCodebooks codebooks, List<LayerReport> layers) {
    }

    public interface LayerListener {
        void finished(LayerReport report);
    }

    public static Result train(KvCollection kv, Settings s, Path output, Progress progress, LayerListener listener) {
        KvManifest m = kv.manifest();
        LayerCheckpoints checkpoints = new LayerCheckpoints(output,
                KvCollection.toJson(m) + "\n" + s.canonical());
        List<ResidualCodebook> keys = new ArrayList<>();
        List<ResidualCodebook> values = new ArrayList<>();
        List<LayerReport> reports = new ArrayList<>();
        for (int l = 0; l < m.layers(); l++) {
            Optional<LayerCheckpoints.Layer> done = checkpoints.load(l);
            LayerReport report;
            if (done.isPresent()) {
                keys.add(book(done.get(), KEYS, s.keyStages().length, m.headDim()));
                values.add(book(done.get(), VALUES, s.valueStages().length, m.headDim()));
                String[] f = done.get().report().split(" ");
                report = new LayerReport(l, Integer.parseInt(f[0]), Double.parseDouble(f[1]),
                        Double.parseDouble(f[2]), Double.parseDouble(f[3]), true);
                progress.skip(2);
            } else {
                long start = System.nanoTime();
                float[] k = kv.layer(l, KvCollection.KvKind.KEYS, s.maxTokens());
                VqkvCodebookTrainer.Result kr = train(k, m.headDim(), s.keyStages(), s, "vqkv-keys", l);
                progress.advance(1);
                float[] v = kv.layer(l, KvCollection.KvKind.VALUES, s.maxTokens());
                VqkvCodebookTrainer.Result vr = train(v, m.headDim(), s.valueStages(), s, "vqkv-values", l);
                progress.advance(1);
                keys.add(kr.codebook());
                values.add(vr.codebook());
                report = new LayerReport(l, k.length / m.kvDim(), relative(kr), relative(vr),
                        (System.nanoTime() - start) / 1e9, false);
                Map<String, float[]> tensors = new LinkedHashMap<>();
                Map<String, long[]> shapes = new LinkedHashMap<>();
                put(tensors, shapes, KEYS, kr.codebook());
                put(tensors, shapes, VALUES, vr.codebook());
                checkpoints.save(l, tensors, shapes, report.tokens() + " " + report.keyError() + " "
                        + report.valueError() + " " + report.seconds());
            }
            reports.add(report);
            progress.note(report.line());
            listener.finished(report);
        }
        VqkvCodebooks books = new VqkvCodebooks(keys, values);
        VqkvCodebookFile.write(output, header(kv, s, books, reports), books);
        checkpoints.delete();
        return new Result(books, reports);
    }

    private static VqkvCodebookTrainer.Result train(float[] x, int dim, int[] stages, Settings s, String purpose,
                                                    int layer) {
        long seed = Seeds.random(s.seed(), purpose, layer).nextLong();
        return VqkvCodebookTrainer.train(x, dim, new VqkvCodebookTrainer.Settings(stages, s.iterations(), seed,
                VqkvCodebookTrainer.Init.KMEANS_PLUS_PLUS));
    }

    private static double relative(VqkvCodebookTrainer.Result r) {
        double[] e = r.stageErrors();
        return r.initialError() == 0 ? 0 : e[e.length - 1] / r.initialError();
    }

    private static void put(Map<String, float[]> tensors, Map<String, long[]> shapes, String quantizer,
                            ResidualCodebook book) {
        for (int i = 0; i < book.stages(); i++) {
            String name = quantizer + "." + i;
            tensors.put(name, book.codewords(i));
            shapes.put(name, new long[] {book.size(i), book.dim()});
        }
    }

    private static ResidualCodebook book(LayerCheckpoints.Layer layer, String quantizer, int stages, int dim) {
        List<float[]> rows = new ArrayList<>();
        for (int i = 0; i < stages; i++) {
            rows.add(layer.tensors().get(quantizer + "." + i));
        }
        return new ResidualCodebook(dim, rows);
    }

    /** The header {@link VqkvCodebookFile#header} would write, from the collection's fingerprint. */
    private static CodebookHeader header(KvCollection kv, Settings s, VqkvCodebooks books,
                                         List<LayerReport> reports) {
        KvManifest m = kv.manifest();
        Map<String, Integer> stages = new LinkedHashMap<>();
        stages.put(KEYS, s.keyStages().length);
        stages.put(VALUES, s.valueStages().length);
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("tool", "commvq train-codebook --method vqkv");
        p.put("training", "residual k-means (k-means++ start)");
        p.put("key_stage_sizes", Arrays.stream(s.keyStages()).boxed().toList());
        p.put("value_stage_sizes", Arrays.stream(s.valueStages()).boxed().toList());
        p.put("iterations", s.iterations());
        p.put("seed", s.seed());
        p.put("tokens_per_layer", reports.isEmpty() ? 0 : reports.get(0).tokens());
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
            layers.add(l);
        }
        p.put("layers", layers);
        return new CodebookHeader(VqkvCodebookFile.METHOD, books.keys(0).bits() + books.values(0).bits(), stages,
                m.model(), p);
    }
}
