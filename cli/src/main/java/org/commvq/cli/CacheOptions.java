package org.commvq.cli;

import java.nio.file.Path;
import org.commvq.cache.KvCache;
import org.commvq.cache.KvCacheFactory;
import org.commvq.cache.ModelShape;
import org.commvq.model.load.LoadedModel;
import picocli.CommandLine.Option;

/** --kv-cache and --ctx-size. */
public final class CacheOptions {
    @Option(names = "--kv-cache", paramLabel = "TYPE", defaultValue = "fp16",
            description = "KV cache type: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})",
            completionCandidates = CacheTypes.class)
    String type;

    @Option(names = {"-c", "--ctx-size"}, paramLabel = "N",
            description = "context size in tokens (default: the model's trained context)")
    Integer ctxSize;

    @Option(names = "--codebook", paramLabel = "FILE",
            description = "codebook file for commvq/vqkv caches, trained for this model (default: the shipped"
                    + " codebooks/*-<type>.safetensors made for this model)")
    Path codebook;

    public int contextSize(ModelShape shape) {
        int ctx = ctxSize != null ? ctxSize : shape.contextLength();
        if (ctx < 1) {
            throw new IllegalArgumentException("--ctx-size must be at least 1, got " + ctx);
        }
        return ctx;
    }

    public KvCache create(LoadedModel model) {
        return KvCacheFactory.create(type, model.shape(), contextSize(model.shape()), codebook, model.vocabHash());
    }

    /** The names picocli lists in --help. */
    static final class CacheTypes implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return KvCacheFactory.types().iterator();
        }
    }
}
