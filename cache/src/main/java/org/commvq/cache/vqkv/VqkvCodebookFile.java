package org.commvq.cache.vqkv;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.commvq.cache.ModelShape;
import org.commvq.cache.codebook.CodebookException;
import org.commvq.cache.codebook.CodebookFile;
import org.commvq.cache.codebook.CodebookHeader;
import org.commvq.cache.codebook.CodebookTensor;
import org.commvq.cache.codebook.ModelFingerprint;

/**
 * VQKV codebooks in our codebook file: method "vqkv", one tensor {@code layers.L.keys.stages.I} (and {@code values})
 * of shape [S_I, head_dim] per stage, so stages of one quantizer may differ in size.
 */
public final class VqkvCodebookFile {
    public static final String METHOD = "vqkv";
    private static final String KEYS = "keys";
    private static final String VALUES = "values";

    private VqkvCodebookFile() {
    }

    public static String tensorName(int layer, String quantizer, int stage) {
        return "layers." + layer + "." + quantizer + ".stages." + stage;
    }

    /** The header for codebooks trained on {@code shape}; bits = index bits per head and token (K + V). */
    public static CodebookHeader header(ModelShape shape, String vocabHash, VqkvCodebooks books,
                                        Map<String, Object> provenance) {
        books.checkFits(shape);
        int keyStages = books.keys(0).stages();
        int valueStages = books.values(0).stages();
        for (int l = 1; l < books.layers(); l++) {
            if (books.keys(l).stages() != keyStages || books.values(l).stages() != valueStages) {
                throw new IllegalArgumentException("layer " + l + " has " + books.keys(l).stages() + "/"
                        + books.values(l).stages() + " stages, layer 0 has " + keyStages + "/" + valueStages);
            }
        }
        Map<String, Integer> stages = new LinkedHashMap<>();
        stages.put(KEYS, keyStages);
        stages.put(VALUES, valueStages);
        return new CodebookHeader(METHOD, books.keys(0).bits() + books.values(0).bits(), stages,
                ModelFingerprint.of(shape, vocabHash), provenance);
    }

    public static void write(Path file, CodebookHeader header, VqkvCodebooks books) {
        Map<String, CodebookTensor> tensors = new LinkedHashMap<>();
        for (int l = 0; l < books.layers(); l++) {
            put(tensors, l, KEYS, books.keys(l));
            put(tensors, l, VALUES, books.values(l));
        }
        CodebookFile.write(file, header, tensors);
    }

    private static void put(Map<String, CodebookTensor> tensors, int layer, String quantizer, ResidualCodebook book) {
        for (int i = 0; i < book.stages(); i++) {
            tensors.put(tensorName(layer, quantizer, i),
                    new CodebookTensor(book.codewords(i), new long[] {book.size(i), book.dim()}));
        }
    }

    /** Reads the codebooks, refusing a file made for another model or by another method. */
    public static VqkvCodebooks read(Path file, ModelShape shape, String vocabHash) {
        CodebookFile f = CodebookFile.read(file);
        f.header().requireMethod(METHOD);
        f.header().checkMatches(shape, vocabHash);
        List<ResidualCodebook> keys = new ArrayList<>();
        List<ResidualCodebook> values = new ArrayList<>();
        for (int l = 0; l < shape.layers(); l++) {
            keys.add(quantizer(f, l, KEYS, shape.headDim()));
            values.add(quantizer(f, l, VALUES, shape.headDim()));
        }
        return new VqkvCodebooks(keys, values);
    }

    private static ResidualCodebook quantizer(CodebookFile f, int layer, String quantizer, int headDim) {
        int stages = f.header().stages(quantizer);
        List<float[]> rows = new ArrayList<>();
        for (int i = 0; i < stages; i++) {
            String name = tensorName(layer, quantizer, i);
            CodebookTensor t = f.tensor(name);
            if (t.rank() != 2 || t.dim(1) != headDim || t.dim(0) < 1) {
                throw new CodebookException(f.path(), "tensor '" + name + "' has shape "
                        + Arrays.toString(t.shape()) + ", expected [entries, " + headDim + "]");
            }
            rows.add(t.data());
        }
        try {
            return new ResidualCodebook(headDim, rows);
        } catch (IllegalArgumentException e) {
            throw new CodebookException(f.path(), "layer " + layer + " " + quantizer + ": " + e.getMessage(), e);
        }
    }
}
