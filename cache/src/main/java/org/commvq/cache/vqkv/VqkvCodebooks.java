package org.commvq.cache.vqkv;

import java.util.List;
import org.commvq.cache.ModelShape;

/**
 * The key and value quantizers of every layer. One pair per layer, shared by all KV heads of the layer: the paper
 * does not say, and per-head codebooks would multiply the already large codebook memory (0.54 GB fp16 for
 * LLaMA-3.1-8B per layer-shared) by the KV head count.
 */
public final class VqkvCodebooks {
    private final List<ResidualCodebook> keys;
    private final List<ResidualCodebook> values;

    public VqkvCodebooks(List<ResidualCodebook> keys, List<ResidualCodebook> values) {
        if (keys.isEmpty() || keys.size() != values.size()) {
            throw new IllegalArgumentException("VQKV needs a key and a value codebook per layer, got " + keys.size()
                    + " key and " + values.size() + " value codebooks");
        }
        this.keys = List.copyOf(keys);
        this.values = List.copyOf(values);
        int dim = keys.get(0).dim();
        for (int l = 0; l < keys.size(); l++) {
            if (keys.get(l).dim() != dim || values.get(l).dim() != dim) {
                throw new IllegalArgumentException("layer " + l + " codebooks are " + keys.get(l).dim() + "/"
                        + values.get(l).dim() + "-dim, layer 0 has " + dim);
            }
        }
    }

    public int layers() {
        return keys.size();
    }

    /** Width of the vectors the codebooks quantize: one head. */
    public int dim() {
        return keys.get(0).dim();
    }

    public ResidualCodebook keys(int layer) {
        return keys.get(layer);
    }

    public ResidualCodebook values(int layer) {
        return values.get(layer);
    }

    /** Refuses codebooks made for another layer count or head width. */
    public void checkFits(ModelShape shape) {
        if (layers() != shape.layers()) {
            throw new IllegalArgumentException("VQKV codebooks have " + layers() + " layers, the model has "
                    + shape.layers());
        }
        if (dim() != shape.headDim()) {
            throw new IllegalArgumentException("VQKV codebooks quantize " + dim() + "-dim heads, the model has head_dim "
                    + shape.headDim());
        }
    }

    /** Bytes of all codebooks as held in memory (fp32), which the cache's memory report leaves out. */
    public long bytes() {
        long n = 0;
        for (int l = 0; l < layers(); l++) {
            n += keys.get(l).parameters() + values.get(l).parameters();
        }
        return n * Float.BYTES;
    }
}
