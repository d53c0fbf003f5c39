package org.commvq.cache;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.commvq.cache.codebook.CodebookFile;
import org.commvq.cache.commvq.CommVqBitBudget;
import org.commvq.cache.commvq.CommVqCodebookFile;
import org.commvq.cache.commvq.CommVqCodebooks;
import org.commvq.cache.commvq.CommVqKvCache;
import org.commvq.cache.commvq.CommVqSyntheticCodebooks;
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
    /** CommVQ's key stages per value bit width (spec §1.2): R = 11 for 1 bit, 21 for 2. */
    private static final int COMMVQ1_STAGES = 11;
    private static final int COMMVQ2_STAGES = 21;
    /** The folder of shipped codebooks, beside the models folder of an install. */
    public static final String CODEBOOK_DIR = "codebooks";
    /** The --codebook value that asks for seeded synthetic CommVQ codebooks. */
    public static final String SYNTHETIC_CODEBOOK = "synthetic";

    private KvCacheFactory() {
    }

    public static List<String> types() {
        return List.of("fp32", "fp16", "int8", "kivi2", "kivi4", "vqkv", "commvq1", "commvq2");
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
            case "commvq1" -> commVqBytesPerToken(shape, COMMVQ1_STAGES, 1);
            case "commvq2" -> commVqBytesPerToken(shape, COMMVQ2_STAGES, 2);
            default -> throw unknown(type);
        };
    }

    /**
     * The same for a cache in hand: a VQKV cache counts its own codebooks' stages (the shipped tiny-model codebook
     * is not the published configuration); the others as {@link #bytesPerToken(String, ModelShape)}.
     */
    public static double bytesPerToken(KvCache cache, ModelShape shape) {
        return cache instanceof VqkvKvCache v ? v.bytesPerToken() : bytesPerToken(cache.type(), shape);
    }

    /**
     * @param codebook  the codebook file for types that need one (null: none given)
     * @param vocabHash the model's vocabulary fingerprint, checked against the codebook's
     */
    public static KvCache create(String type, ModelShape shape, int capacity, Path codebook, String vocabHash) {
        return create(type, shape, capacity, codebook, vocabHash, VqkvKvCache.LOCAL_WINDOW);
    }

    /**
     * The same with VQKV's full-precision local window set (the paper's is 1024 tokens): within a model's 2048-token
     * context the paper's window leaves almost nothing compressed, so its codebooks can only be judged with a smaller
     * one.
     */
    public static KvCache create(String type, ModelShape shape, int capacity, Path codebook, String vocabHash,
                                 int vqkvWindow) {
        return switch (type) {
            case "fp32" -> new Fp32KvCache(shape, capacity);
            case "fp16" -> new Fp16KvCache(shape, capacity);
            case "int8" -> new Int8KvCache(shape, capacity);
            case "kivi2" -> new KiviKvCache(shape, capacity, 2);
            case "kivi4" -> new KiviKvCache(shape, capacity, 4);
            case "vqkv" -> new VqkvKvCache(shape, capacity,
                    VqkvCodebookFile.read(required(type, codebook, shape, vocabHash), shape, vocabHash),
                    VqkvKvCache.SINK_TOKENS, vqkvWindow);
            case "commvq1", "commvq2" -> new CommVqKvCache(shape, capacity,
                    commVqCodebooks(type, codebook, shape, vocabHash));
            default -> throw unknown(type);
        };
    }

    /** Whether the type needs a codebook file. */
    public static boolean needsCodebook(String type) {
        return type.equals("vqkv") || type.startsWith("commvq");
    }

    /**
     * The shipped codebook for a type when --codebook is not given: the first file {@code *-<type>.safetensors}, in
     * name order, in the {@value #CODEBOOK_DIR} folder of the install (the launcher's commvq.home, else the working
     * directory) whose header says it was made for this model. Matching on the header rather than on the model's
     * file name lets every variant of a model (f16, q8_0, the Hugging Face folder) find the same codebooks.
     */
    public static Optional<Path> findDefaultCodebook(String type, ModelShape shape, String vocabHash) {
        Path dir = codebookDir();
        String suffix = "-" + type + ".safetensors";
        List<Path> candidates = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(f -> f.getFileName().toString().endsWith(suffix)).sorted().forEach(candidates::add);
            } catch (IOException e) {
                throw new UncheckedIOException(dir + ": cannot list the codebooks (" + e.getMessage() + ")", e);
            }
        }
        for (Path f : candidates) {
            if (madeFor(f, shape, vocabHash)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    public static Path defaultCodebook(String type, ModelShape shape, String vocabHash) {
        return findDefaultCodebook(type, shape, vocabHash).orElseThrow(() -> new IllegalArgumentException(
                "--kv-cache " + type + " needs --codebook FILE: " + codebookDir() + " has no *-" + type
                + ".safetensors made for this model (train one with 'commvq collect-kv' and 'commvq train-codebook')"));
    }

    /** The shipped codebooks' folder: codebooks/ in the install folder the launcher names, or the working directory. */
    private static Path codebookDir() {
        String home = System.getProperty("commvq.home");
        return (home != null ? Path.of(home) : Path.of("")).toAbsolutePath().resolve(CODEBOOK_DIR);
    }

    private static boolean madeFor(Path file, ModelShape shape, String vocabHash) {
        try {
            CodebookFile.read(file).header().checkMatches(shape, vocabHash);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static double commVqBytesPerToken(ModelShape shape, int stages, int bits) {
        return shape.layers() * CommVqBitBudget.bitsPerTokenPerLayer(stages, bits, shape.headDim(), shape.kvHeads())
                / 8.0;
    }

    /**
     * The CommVQ codebooks for "commvq1" or "commvq2": the file given, the shipped one made for the model when none
     * is given, or {@value #SYNTHETIC_CODEBOOK} for seeded random ones of the model's shape (11 or 21 stages), which
     * measure speed and memory for shapes without trained codebooks but say nothing about quality.
     */
    public static CommVqCodebooks commVqCodebooks(String type, Path codebook, ModelShape shape, String vocabHash) {
        int bits = switch (type) {
            case "commvq1" -> 1;
            case "commvq2" -> 2;
            default -> throw new IllegalArgumentException("'" + type + "' is not a CommVQ cache");
        };
        if (codebook != null && codebook.toString().equals(SYNTHETIC_CODEBOOK)) {
            return CommVqSyntheticCodebooks.create(shape, bits == 1 ? 11 : 21, bits, 1);
        }
        return CommVqCodebookFile.read(required(type, codebook, shape, vocabHash), shape, vocabHash, bits);
    }

    private static Path required(String type, Path codebook, ModelShape shape, String vocabHash) {
        return codebook != null ? codebook : defaultCodebook(type, shape, vocabHash);
    }

    private static IllegalArgumentException unknown(String type) {
        return new IllegalArgumentException("--kv-cache '" + type + "' is not one of " + types());
    }
}
