package org.commvq.cache.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.commvq.cache.codebook.ModelFingerprint;
import org.commvq.cache.io.SafetensorsFile;
import org.commvq.cache.io.SafetensorsWriter;
import org.commvq.cache.io.TensorFileException;

/**
 * A folder of collected keys and values: {@code manifest.json} and chunk files {@code chunk-NNNNN.safetensors}, each
 * holding {@code layers.L.keys} and {@code layers.L.values} ([tokens][F], F16) and the token ids. A collection with
 * queries ({@link KvManifest#queries()}) adds {@code layers.L.queries} ([tokens][heads·d], F16) to every chunk and
 * the file {@value #ATTENTION_OUTPUT} with each layer's W_o as {@code layers.L.attn_output} ([dim][heads·d], F32,
 * the model's weights dequantized). Every file is written to a temporary name and renamed, so a file that exists is
 * complete; an interrupted collection resumes by skipping the chunks already there.
 */
public final class KvCollection {
    public static final String MANIFEST = "manifest.json";
    public static final String ATTENTION_OUTPUT = "attention-output.safetensors";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final KvManifest manifest;

    private KvCollection(Path dir, KvManifest manifest) {
        this.dir = dir;
        this.manifest = manifest;
    }

    /**
     * Opens {@code dir} for collecting {@code manifest}: writes the manifest, or checks that the one already there
     * describes the same collection (so a rerun with other settings cannot mix two collections).
     */
    public static KvCollection create(Path dir, KvManifest manifest) {
        Path file = dir.resolve(MANIFEST);
        if (Files.exists(file)) {
            KvManifest existing = readManifest(file);
            if (!existing.equals(manifest)) {
                throw new IllegalArgumentException(dir + " holds a KV collection made with other settings ("
                        + difference(existing, manifest) + "); use another output folder");
            }
        } else {
            AtomicFiles.writeString(file, toJson(manifest));
        }
        return new KvCollection(dir, manifest);
    }

    public static KvCollection open(Path dir) {
        Path file = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(dir + " is not a KV collection (no " + MANIFEST
                    + "); make one with 'commvq collect-kv'");
        }
        return new KvCollection(dir, readManifest(file));
    }

    public KvManifest manifest() {
        return manifest;
    }

    public Path chunkFile(int chunk) {
        return dir.resolve(String.format(Locale.ROOT, "chunk-%05d.safetensors", chunk));
    }

    public boolean hasChunk(int chunk) {
        return Files.isRegularFile(chunkFile(chunk));
    }

    /** Chunks still missing, in order. */
    public List<Integer> missingChunks() {
        List<Integer> out = new ArrayList<>();
        for (int c = 0; c < manifest.chunks(); c++) {
            if (!hasChunk(c)) {
                out.add(c);
            }
        }
        return out;
    }

    /**
     * Writes one chunk: keys[l] and values[l] are [tokens][F] for layer l, queries[l] [tokens][heads·d] (null for a
     * collection without queries), ids the token ids.
     */
    public void writeChunk(int chunk, float[][] keys, float[][] values, float[][] queries, int[] ids) {
        if ((queries != null) != manifest.queries()) {
            throw new IllegalArgumentException(manifest.queries() ? "this collection stores queries; pass them"
                    : "this collection stores no queries");
        }
        int tokens = manifest.chunkTokens(chunk);
        int f = manifest.kvDim();
        SafetensorsWriter w = new SafetensorsWriter();
        w.i32("token_ids", ids, tokens);
        for (int l = 0; l < manifest.layers(); l++) {
            w.f16(name(l, KvKind.KEYS.tensor), keys[l], tokens, f);
            w.f16(name(l, KvKind.VALUES.tensor), values[l], tokens, f);
            if (queries != null) {
                w.f16(name(l, KvKind.QUERIES.tensor), queries[l], tokens, manifest.queryDim());
            }
        }
        w.write(chunkFile(chunk));
    }

    public boolean hasAttentionOutput() {
        return Files.isRegularFile(dir.resolve(ATTENTION_OUTPUT));
    }

    /** Writes every layer's W_o, wo[l] being [dim][heads·d] row-major (o = W_o·attention). */
    public void writeAttentionOutput(float[][] wo, int dim) {
        requireQueries("W_o");
        SafetensorsWriter w = new SafetensorsWriter();
        for (int l = 0; l < manifest.layers(); l++) {
            w.f32(name(l, "attn_output"), wo[l], dim, manifest.queryDim());
        }
        w.write(dir.resolve(ATTENTION_OUTPUT));
    }

    /** One layer's W_o, [dim][heads·d]. */
    public float[] attentionOutput(int layer) {
        requireQueries("W_o");
        Path file = dir.resolve(ATTENTION_OUTPUT);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(dir + ": " + ATTENTION_OUTPUT + " is missing; finish the collection by"
                    + " running 'commvq collect-kv' again with the same arguments");
        }
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            float[] wo = st.floats(name(layer, "attn_output"));
            if (wo.length % manifest.queryDim() != 0) {
                throw new IllegalArgumentException(file + ": layer " + layer + "'s W_o has " + wo.length
                        + " numbers, not a multiple of heads·head_dim = " + manifest.queryDim());
            }
            return wo;
        } catch (TensorFileException e) {
            throw new IllegalArgumentException(file + ": " + e.problem(), e);
        }
    }

    /**
     * The first {@code maxTokens} keys, values ([tokens][F]) or queries ([tokens][heads·d]) of one layer over the
     * chunks in order; fewer when the collection is smaller.
     */
    public float[] layer(int layer, KvKind kind, long maxTokens) {
        if (kind == KvKind.QUERIES) {
            requireQueries("queries");
        }
        long n = Math.min(maxTokens, manifest.tokens());
        int f = kind == KvKind.QUERIES ? manifest.queryDim() : manifest.kvDim();
        float[] out = new float[Math.toIntExact(n * f)];
        long filled = 0;
        for (int c = 0; c < manifest.chunks() && filled < n; c++) {
            if (!hasChunk(c)) {
                throw new IllegalArgumentException(dir + ": chunk " + c + " is missing; finish the collection by"
                        + " running 'commvq collect-kv' again with the same arguments");
            }
            try (SafetensorsFile st = SafetensorsFile.open(chunkFile(c))) {
                float[] data = st.floats(name(layer, kind.tensor()));
                int take = (int) Math.min(data.length / f, n - filled);
                System.arraycopy(data, 0, out, Math.toIntExact(filled * f), take * f);
                filled += take;
            } catch (TensorFileException e) {
                throw new IllegalArgumentException(chunkFile(c) + ": " + e.problem(), e);
            }
        }
        return out;
    }

    private void requireQueries(String what) {
        if (!manifest.queries()) {
            throw new IllegalArgumentException(dir + " holds no " + what + " (collected by an older collect-kv);"
                    + " collect again for the attention-output value loss, or train with --value-loss mse");
        }
    }

    /** Which activation a tensor holds. */
    public enum KvKind {
        KEYS("keys"), VALUES("values"), QUERIES("queries");

        private final String tensor;

        KvKind(String tensor) {
            this.tensor = tensor;
        }

        String tensor() {
            return tensor;
        }
    }

    private static String name(int layer, String kind) {
        return "layers." + layer + "." + kind;
    }

    /** A short account of the first field that differs, for the refusal message. */
    private static String difference(KvManifest a, KvManifest b) {
        if (!a.model().equals(b.model())) {
            return "another model";
        }
        if (!a.sources().equals(b.sources())) {
            return "texts " + a.sources() + " vs " + b.sources();
        }
        if (!a.split().equals(b.split())) {
            return "split " + a.split() + " vs " + b.split();
        }
        if (a.seqLen() != b.seqLen()) {
            return "--seq-len " + a.seqLen() + " vs " + b.seqLen();
        }
        if (a.sequences() != b.sequences()) {
            return a.tokens() + " tokens vs " + b.tokens();
        }
        if (a.queries() != b.queries()) {
            return a.queries() ? "it has queries" : "it has no queries (an older collect-kv)";
        }
        return "chunking or model file differs";
    }

    /**
     * The manifest's JSON. A collection without queries is written exactly as before queries existed (format 1), so
     * its text, and the digests trainers take of it, stay what they were.
     */
    static String toJson(KvManifest m) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", m.queries() ? KvManifest.FORMAT_QKV : KvManifest.FORMAT_KV);
        ObjectNode model = root.putObject("model");
        ModelFingerprint f = m.model();
        model.put("layers", f.layers());
        model.put("heads", f.heads());
        model.put("kv_heads", f.kvHeads());
        model.put("head_dim", f.headDim());
        model.put("rope_theta", f.ropeTheta());
        model.put("rope_factor", f.ropeFactor());
        model.put("rope_low_freq_factor", f.ropeLowFreqFactor());
        model.put("rope_high_freq_factor", f.ropeHighFreqFactor());
        model.put("rope_original_context", f.ropeOriginalContext());
        model.put("vocab_hash", f.vocabHash());
        root.put("model_file", m.modelFile());
        ArrayNode sources = root.putArray("sources");
        m.sources().forEach(sources::add);
        root.put("split", m.split());
        root.put("seq_len", m.seqLen());
        root.put("sequences", m.sequences());
        root.put("tokens", m.tokens());
        root.put("chunk_sequences", m.chunkSequences());
        root.put("layers", m.layers());
        root.put("kv_heads", m.kvHeads());
        root.put("head_dim", m.headDim());
        root.put("dtype", "F16");
        root.put("key_layout", "pre-RoPE, interleaved pairs (2i, 2i+1) per head");
        if (m.queries()) {
            root.put("query_layout", "pre-RoPE like the keys, [tokens][heads*head_dim]; token i of a sequence is at"
                    + " position i");
            root.put("attention_output", ATTENTION_OUTPUT);
        }
        ArrayNode chunks = root.putArray("chunks");
        for (int c = 0; c < m.chunks(); c++) {
            ObjectNode chunk = chunks.addObject();
            chunk.put("file", String.format(Locale.ROOT, "chunk-%05d.safetensors", c));
            chunk.put("first_sequence", m.firstSequence(c));
            chunk.put("tokens", m.chunkTokens(c));
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static KvManifest readManifest(Path file) {
        try {
            JsonNode root = JSON.readTree(file.toFile());
            int format = root.path("format").asInt(-1);
            if (format != KvManifest.FORMAT_KV && format != KvManifest.FORMAT_QKV) {
                throw new IllegalArgumentException(file + ": KV manifest format " + format + ", expected "
                        + KvManifest.FORMAT_KV + " or " + KvManifest.FORMAT_QKV);
            }
            JsonNode m = root.path("model");
            ModelFingerprint fp = new ModelFingerprint(m.path("layers").asInt(), m.path("heads").asInt(),
                    m.path("kv_heads").asInt(), m.path("head_dim").asInt(), m.path("rope_theta").asDouble(),
                    m.path("rope_factor").asDouble(), m.path("rope_low_freq_factor").asDouble(),
                    m.path("rope_high_freq_factor").asDouble(), m.path("rope_original_context").asInt(),
                    m.path("vocab_hash").asText());
            List<String> sources = new ArrayList<>();
            root.path("sources").forEach(s -> sources.add(s.asText()));
            return new KvManifest(fp, root.path("model_file").asText(), sources, root.path("split").asText(),
                    root.path("seq_len").asInt(), root.path("sequences").asInt(), root.path("chunk_sequences").asInt(),
                    root.path("layers").asInt(), root.path("kv_heads").asInt(), root.path("head_dim").asInt(),
                    format == KvManifest.FORMAT_QKV);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read the KV manifest (" + e.getMessage() + ")", e);
        }
    }
}
