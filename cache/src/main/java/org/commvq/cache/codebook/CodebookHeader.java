package org.commvq.cache.codebook;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.commvq.cache.ModelShape;

/**
 * The JSON header of a codebook file: what it was made for, what it holds, and how it was made.
 *
 * @param method     "commvq" or "vqkv"
 * @param bits       the nominal width the method is named by (CommVQ: 1 or 2; VQKV: index bits per head and token)
 * @param stages     residual stages per quantizer, e.g. {"keys": 56, "values": 16}
 * @param model      the model the codebook was trained for
 * @param provenance free-form JSON values: data, tokens, seed, date, tool version
 * @param source     the file the header was read from; null for a header built in memory
 */
public record CodebookHeader(String method, int bits, Map<String, Integer> stages, ModelFingerprint model,
                             Map<String, Object> provenance, Path source) {

    public CodebookHeader {
        if (method == null || method.isBlank()) {
            throw new IllegalArgumentException("codebook method is missing");
        }
        stages = Collections.unmodifiableMap(new LinkedHashMap<>(stages));
        provenance = Collections.unmodifiableMap(new LinkedHashMap<>(provenance));
    }

    public CodebookHeader(String method, int bits, Map<String, Integer> stages, ModelFingerprint model,
                          Map<String, Object> provenance) {
        this(method, bits, stages, model, provenance, null);
    }

    public CodebookHeader withSource(Path file) {
        return new CodebookHeader(method, bits, stages, model, provenance, file);
    }

    /** Refuses a codebook made for another model, naming the file and the first field that differs. */
    public void checkMatches(ModelShape shape, String vocabHash) {
        model.firstMismatch(ModelFingerprint.of(shape, vocabHash)).ifPresent(m -> {
            throw new CodebookException(source, m);
        });
    }

    /** Refuses a codebook of another method (a CommVQ file given to VQKV, say). */
    public void requireMethod(String expected) {
        if (!method.equals(expected)) {
            throw new CodebookException(source, "holds " + method + " codebooks, expected " + expected);
        }
    }

    /** The stage count of one quantizer, refusing a header that does not list it. */
    public int stages(String quantizer) {
        Integer n = stages.get(quantizer);
        if (n == null || n < 1) {
            throw new CodebookException(source, "header lists no stages for '" + quantizer + "'");
        }
        return n;
    }
}
