package org.commvq.cache;

import java.nio.file.Path;
import java.util.List;
import org.commvq.cache.fp.Fp16KvCache;
import org.commvq.cache.fp.Fp32KvCache;
import org.commvq.cache.scalar.Int8KvCache;
import org.commvq.cache.scalar.KiviKvCache;
import org.commvq.cache.vqkv.VqkvAccounting;
import org.commvq.cache.vqkv.VqkvCodebookFile;
import org.commvq.cache.vqkv.VqkvKvCache;

/** Builds a cache from its --kv-cache name, and says what each type costs per token. */
public final class KvCacheFactory {
    /** VQKV's published LLaMA-3.1-8B configuration (spec §2.2): keys 56 × 1024, values 16 × 512. */
    private static final int[] VQKV_KEY_STAGES = VqkvAccounting.stages(56, 1024);
    private static final int[] VQKV_VALUE_STAGES = VqkvAccounting.stages(16, 512);

    private KvCacheFactory() {
    }

    public static List<String> types() {
        return List.of("fp32", "fp16", "int8", "kivi2", "kivi4", "vqkv");
    }

    /**
     * Bytes one token costs over all layers, keys and values, in steady state: compressed tokens for compressed
     * caches (their bounded full-precision window is reported by {@link KvCache#memory()}); VQKV at its published
     * configuration.
     */
    public static double bytesPerToken(String type, ModelShape shape) {
        return switch (type) {
            case "fp32" -> Fp32KvCache.bytesPerToken(shape);
            case "fp16" -> Fp16KvCache.bytesPerToken(shape);
            case "int8" -> Int8KvCache.bytesPerToken(shape);
            case "kivi2" -> KiviKvCache.bytesPerToken(shape, 2);
            case "kivi4" -> KiviKvCache.bytesPerToken(shape, 4);
            case "vqkv" -> VqkvKvCache.bytesPerToken(shape, VQKV_KEY_STAGES, VQKV_VALUE_STAGES);
            default -> throw unknown(type);
        };
    }

    /**
     * @param codebook  the codebook file for types that need one (null: none given)
     * @param vocabHash the model's vocabulary fingerprint, checked against the codebook's
     */
    public static KvCache create(String type, ModelShape shape, int capacity, Path codebook, String vocabHash) {
        return switch (type) {
            case "fp32" -> new Fp32KvCache(shape, capacity);
            case "fp16" -> new Fp16KvCache(shape, capacity);
            case "int8" -> new Int8KvCache(shape, capacity);
            case "kivi2" -> new KiviKvCache(shape, capacity, 2);
            case "kivi4" -> new KiviKvCache(shape, capacity, 4);
            case "vqkv" -> new VqkvKvCache(shape, capacity,
                    VqkvCodebookFile.read(required(type, codebook), shape, vocabHash));
            default -> throw unknown(type);
        };
    }

    private static Path required(String type, Path codebook) {
        if (codebook == null) {
            throw new IllegalArgumentException("--kv-cache " + type + " needs --codebook FILE (a codebook trained"
                    + " for this model)");
        }
        return codebook;
    }

    private static IllegalArgumentException unknown(String type) {
        return new IllegalArgumentException("--kv-cache '" + type + "' is not one of " + types());
    }
}
