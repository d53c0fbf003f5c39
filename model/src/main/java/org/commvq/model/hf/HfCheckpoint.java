package org.commvq.model.hf;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.commvq.cache.ModelShape;
import org.commvq.model.forward.LayerWeights;
import org.commvq.model.forward.LlamaWeights;

/**
 * A LLaMA checkpoint in HF layout (config.json plus safetensors), loaded into the engine's weight records. Matrices
 * are memory-mapped in their stored type (F32, F16 or BF16), except Q and K, whose rows are copied into the
 * interleaved RoPE layout the engine (like GGUF) uses. Closing it unmaps the files and frees those copies.
 */
public final class HfCheckpoint implements AutoCloseable {
    private final HfModelFiles files;
    private final HfConfig config;
    private final ModelShape shape;
    private final LlamaWeights weights;
    private final Arena arena;

    private HfCheckpoint(HfModelFiles files, HfConfig config, LlamaWeights weights, Arena arena) {
        this.files = files;
        this.config = config;
        this.shape = config.toShape();
        this.weights = weights;
        this.arena = arena;
    }

    /** Loads a model directory; every problem is a ModelFormatException naming the file at fault. */
    public static HfCheckpoint load(Path directory) {
        HfModelFiles files = HfModelFiles.locate(directory);
        HfConfig config = HfConfig.read(files.config());
        Arena arena = Arena.ofShared();
        try {
            return new HfCheckpoint(files, config, weights(new HfWeights(files, arena), config), arena);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static LlamaWeights weights(HfWeights w, HfConfig c) {
        int dim = c.hiddenSize();
        int qDim = c.numAttentionHeads() * c.headDim();
        int kvDim = c.numKeyValueHeads() * c.headDim();
        int ffn = c.intermediateSize();
        List<LayerWeights> layers = new ArrayList<>(c.numHiddenLayers());
        for (int i = 0; i < c.numHiddenLayers(); i++) {
            String p = "model.layers." + i + ".";
            layers.add(new LayerWeights(
                    w.vector(p + "input_layernorm.weight", dim),
                    w.ropePermuted(p + "self_attn.q_proj.weight", c.numAttentionHeads(), c.headDim(), dim),
                    w.ropePermuted(p + "self_attn.k_proj.weight", c.numKeyValueHeads(), c.headDim(), dim),
                    w.matrix(p + "self_attn.v_proj.weight", kvDim, dim),
                    w.matrix(p + "self_attn.o_proj.weight", dim, qDim),
                    w.vector(p + "post_attention_layernorm.weight", dim),
                    w.matrix(p + "mlp.gate_proj.weight", ffn, dim),
                    w.matrix(p + "mlp.up_proj.weight", ffn, dim),
                    w.matrix(p + "mlp.down_proj.weight", dim, ffn)));
        }
        var embedding = w.matrix("model.embed_tokens.weight", c.vocabSize(), dim);
        // Tied checkpoints usually omit lm_head; one that stores it anyway is read as stored.
        var output = c.tieWordEmbeddings() && !w.contains("lm_head.weight") ? embedding
                : w.matrix("lm_head.weight", c.vocabSize(), dim);
        return new LlamaWeights(embedding, List.copyOf(layers), w.vector("model.norm.weight", dim), output);
    }

    public HfModelFiles files() {
        return files;
    }

    public HfConfig config() {
        return config;
    }

    public ModelShape shape() {
        return shape;
    }

    /** The forward pass weights; Q and K rows in the interleaved RoPE layout. Valid until {@link #close()}. */
    public LlamaWeights weights() {
        return weights;
    }

    /** The element type of the attention matrices, e.g. "F16". */
    public String weightType() {
        return weights.layers().getFirst().wq().typeName();
    }

    @Override
    public void close() {
        arena.close();
    }
}
