package org.commvq.cache.codebook;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The header as JSON, versioned by {@code format}. Field names are snake_case like the Hugging Face configs the
 * fingerprint fields come from.
 */
final class CodebookHeaderJson {
    static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private CodebookHeaderJson() {
    }

    static String write(CodebookHeader h) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("method", h.method());
        root.put("bits", h.bits());
        ObjectNode stages = root.putObject("stages");
        h.stages().forEach(stages::put);
        ModelFingerprint m = h.model();
        ObjectNode model = root.putObject("model");
        model.put("layers", m.layers());
        model.put("heads", m.heads());
        model.put("kv_heads", m.kvHeads());
        model.put("head_dim", m.headDim());
        model.put("rope_theta", m.ropeTheta());
        model.put("rope_factor", m.ropeFactor());
        model.put("rope_low_freq_factor", m.ropeLowFreqFactor());
        model.put("rope_high_freq_factor", m.ropeHighFreqFactor());
        model.put("rope_original_context", m.ropeOriginalContext());
        model.put("vocab_hash", m.vocabHash());
        root.set("provenance", JSON.valueToTree(h.provenance()));
        try {
            return JSON.writeValueAsString(root);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("codebook provenance is not plain JSON data: " + e.getOriginalMessage(), e);
        }
    }

    static CodebookHeader read(Path file, String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JacksonException e) {
            throw new CodebookException(file, "codebook header is not valid JSON (" + e.getOriginalMessage() + ")", e);
        }
        if (root == null || !root.isObject()) {
            throw new CodebookException(file, "codebook header is not a JSON object");
        }
        int format = integer(file, root, "format");
        if (format != FORMAT) {
            throw new CodebookException(file, "codebook format " + format + " is not the supported format " + FORMAT);
        }
        Map<String, Integer> stages = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : object(file, root, "stages").properties()) {
            if (!e.getValue().canConvertToInt() || !e.getValue().isIntegralNumber()) {
                throw new CodebookException(file, "codebook header field 'stages." + e.getKey() + "' is not an integer");
            }
            stages.put(e.getKey(), e.getValue().intValue());
        }
        JsonNode m = object(file, root, "model");
        ModelFingerprint model;
        try {
            model = new ModelFingerprint(integer(file, m, "layers"), integer(file, m, "heads"),
                    integer(file, m, "kv_heads"), integer(file, m, "head_dim"), number(file, m, "rope_theta"),
                    number(file, m, "rope_factor"), number(file, m, "rope_low_freq_factor"),
                    number(file, m, "rope_high_freq_factor"), integer(file, m, "rope_original_context"),
                    text(file, m, "vocab_hash"));
        } catch (IllegalArgumentException e) {
            throw new CodebookException(file, "codebook header: " + e.getMessage(), e);
        }
        Map<String, Object> provenance = new LinkedHashMap<>();
        JsonNode p = root.get("provenance");
        if (p != null && !p.isNull()) {
            if (!p.isObject()) {
                throw new CodebookException(file, "codebook header field 'provenance' is not an object");
            }
            for (Map.Entry<String, JsonNode> e : p.properties()) {
                provenance.put(e.getKey(), JSON.convertValue(e.getValue(), Object.class));
            }
        }
        try {
            return new CodebookHeader(text(file, root, "method"), integer(file, root, "bits"), stages, model,
                    provenance, file);
        } catch (IllegalArgumentException e) {
            throw new CodebookException(file, "codebook header: " + e.getMessage(), e);
        }
    }

    private static JsonNode object(Path file, JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isObject()) {
            throw new CodebookException(file, "codebook header field '" + field + "' is missing or not an object");
        }
        return v;
    }

    private static int integer(Path file, JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new CodebookException(file, "codebook header field '" + field + "' is missing or not an integer");
        }
        return v.intValue();
    }

    private static double number(Path file, JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isNumber()) {
            throw new CodebookException(file, "codebook header field '" + field + "' is missing or not a number");
        }
        return v.doubleValue();
    }

    private static String text(Path file, JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) {
            throw new CodebookException(file, "codebook header field '" + field + "' is missing or not a string");
        }
        return v.textValue();
    }
}
