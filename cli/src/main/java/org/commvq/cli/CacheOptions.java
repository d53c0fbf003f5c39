package org.commvq.cli;

import java.nio.file.Path;
import org.commvq.cache.KvCache;
import org.commvq.cache.KvCacheFactory;
import org.commvq.cache.ModelShape;
import org.commvq.cache.vqkv.VqkvKvCache;
import org.commvq.model.load.LoadedModel;
import picocli.CommandLine.Option;

/** --kv-cache and --ctx-size. */
public final class CacheOptions {
    /** The default where a codebook trained for the model is found (as for the shipped model). */
    static final String COMPRESSED_DEFAULT = "commvq2";

    @Option(names = "--kv-cache", paramLabel = "TYPE",
            description = "KV cache type: ${COMPLETION-CANDIDATES} (default: " + COMPRESSED_DEFAULT
                    + " when a codebook made for the model is found, as for the shipped model; otherwise fp16)",
            completionCandidates = CacheTypes.class)
    String type;

    @Option(names = {"-c", "--ctx-size"}, paramLabel = "N",
            description = "context size in tokens (default: the model's trained context)")
    Integer ctxSize;

    @Option(names = "--codebook", paramLabel = "FILE",
            description = "codebook file for commvq/vqkv caches, trained for this model (default: the shipped"
                    + " codebooks/*-<type>.safetensors made for this model); 'synthetic' gives seeded random CommVQ"
                    + " codebooks of the model's shape, for speed measurements only")
    Path codebook;

    /** The --kv-cache type, or the default for this model. */
    public String type(LoadedModel model) {
        if (type != null) {
            return type;
        }
        boolean trained = codebook != null || KvCacheFactory.findDefaultCodebook(COMPRESSED_DEFAULT, model.shape(),
                model.vocabHash()).isPresent();
        return trained ? COMPRESSED_DEFAULT : "fp16";
    }

    public int contextSize(LoadedModel model) {
        ModelShape shape = model.shape();
        int ctx = ctxSize != null ? ctxSize : shape.contextLength();
        if (ctx < 1) {
            throw new IllegalArgumentException("--ctx-size must be at least 1, got " + ctx);
        }
        return MemoryCheck.requireFits(type(model), shape, ctx);
    }

    public KvCache create(LoadedModel model) {
        return create(model, VqkvKvCache.LOCAL_WINDOW);
    }

    /** The cache with VQKV's full-precision local window set to vqkvWindow tokens. */
    public KvCache create(LoadedModel model, int vqkvWindow) {
        return KvCacheFactory.create(type(model), model.shape(), contextSize(model), codebook, model.vocabHash(),
                vqkvWindow);
    }

    /** The names picocli lists in --help. */
    static final class CacheTypes implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return KvCacheFactory.types().iterator();
        }
    }
}
