package org.commvq.cache.commvq;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.commvq.cache.ModelShape;
import org.commvq.cache.codebook.CodebookException;
import org.commvq.cache.codebook.CodebookFile;
import org.commvq.cache.codebook.CodebookHeader;
import org.commvq.cache.codebook.CodebookTensor;
import org.commvq.cache.codebook.ModelFingerprint;
import org.commvq.cache.io.SafetensorsFile;
import org.commvq.cache.io.SafetensorsWriter;
import org.commvq.cache.io.TensorFileException;

/**
 * CommVQ codebooks in our codebook file: method "commvq", bits = value bits per channel, stages {"keys": R}, and
 * the tensors of {@link CommVqCodebooks#toTensors()} ({@code layers.L.key_theta} [H, R, P, 64, 2] and the official
 * value-compressor names under {@code layers.L.value.}).
 *
 * <p>Tensors are stored as F16, which halves the file (θ of a 2-bit codebook alone is H·21·P·128 floats per layer);
 * trainers round their results to half precision before they measure them, so what is measured is what loads.
 */
public final class CommVqCodebookFile {
    public static final String METHOD = "commvq";
    public static final String KEYS = "keys";

    private CommVqCodebookFile() {
    }

    public static CodebookHeader header(ModelFingerprint model, CommVqCodebooks books, Map<String, Object> provenance) {
        return new CodebookHeader(METHOD, books.bits(), Map.of(KEYS, books.stages()), model, provenance);
    }

    /**
     * Writes atomically. The header JSON is the one {@link CodebookFile} writes: the file is first written in F32
     * through it beside the target, then copied with every tensor narrowed to F16.
     */
    public static void write(Path file, CodebookHeader header, CommVqCodebooks books) {
        Map<String, CodebookTensor> tensors = new LinkedHashMap<>();
        books.toTensors().forEach((name, t) -> tensors.put(name, new CodebookTensor(t.data(), longs(t.shape()))));
        Path dir = file.toAbsolutePath().getParent();
        Path wide = null;
        try {
            Files.createDirectories(dir);
            wide = Files.createTempFile(dir, "." + file.getFileName(), ".f32.tmp");
            CodebookFile.write(wide, header, tensors);
            SafetensorsWriter narrow = new SafetensorsWriter();
            try (SafetensorsFile st = SafetensorsFile.open(wide)) {
                st.metadata().forEach(narrow::metadata);
                for (String name : st.tensorNames()) {
                    narrow.f16(name, st.floats(name), st.info(name).shape());
                }
            }
            narrow.write(file);
        } catch (IOException e) {
            throw new CodebookException(file, "cannot write codebook (" + e.getMessage() + ")", e);
        } catch (TensorFileException e) {
            throw new CodebookException(file, e.problem(), e);
        } finally {
            if (wide != null) {
                try {
                    Files.deleteIfExists(wide);
                } catch (IOException ignored) {
                    // The temporary name starts with a dot; a leftover is harmless.
                }
            }
        }
    }

    /** Reads the codebooks, refusing a file made for another model, by another method, or with other bits. */
    public static CommVqCodebooks read(Path file, ModelShape shape, String vocabHash, int bits) {
        CodebookFile f = CodebookFile.read(file);
        CodebookHeader h = f.header();
        h.requireMethod(METHOD);
        h.checkMatches(shape, vocabHash);
        if (h.bits() != bits) {
            throw new CodebookException(file, "holds " + h.bits() + "-bit CommVQ codebooks, expected " + bits + "-bit");
        }
        Map<String, CommVqTensor> tensors = new LinkedHashMap<>();
        f.tensors().forEach((name, t) -> tensors.put(name, new CommVqTensor(ints(t.shape()), t.data())));
        CommVqCodebooks books;
        try {
            books = CommVqCodebooks.fromTensors(tensors, shape.layers());
        } catch (IllegalArgumentException e) {
            throw new CodebookException(file, e.getMessage(), e);
        }
        if (books.stages() != h.stages(KEYS) || books.bits() != bits) {
            throw new CodebookException(file, "tensors hold " + books.stages() + " key stages and " + books.bits()
                    + "-bit values, the header says " + h.stages(KEYS) + " and " + bits);
        }
        return books;
    }

    private static long[] longs(int[] shape) {
        long[] out = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            out[i] = shape[i];
        }
        return out;
    }

    private static int[] ints(long[] shape) {
        int[] out = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            out[i] = Math.toIntExact(shape[i]);
        }
        return out;
    }
}
