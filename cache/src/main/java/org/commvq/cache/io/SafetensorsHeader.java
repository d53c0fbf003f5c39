package org.commvq.cache.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed and validated JSON header of a safetensors file: tensors in header order and the string metadata.
 * Everything a later read relies on (offsets inside the data section, sizes that match the shapes, no two tensors
 * sharing bytes) is checked here once.
 */
record SafetensorsHeader(Map<String, TensorInfo> tensors, Map<String, String> metadata) {
    static final String METADATA_KEY = "__metadata__";

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    static SafetensorsHeader parse(Path file, byte[] json, long dataSize) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JacksonException e) {
            throw new TensorFileException(file, "header is not valid JSON (" + firstLine(e.getOriginalMessage()) + ")", e);
        } catch (java.io.IOException e) {
            throw new TensorFileException(file, "cannot parse header: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new TensorFileException(file, "header must be a JSON object of tensor entries");
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = Map.of();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            if (e.getKey().equals(METADATA_KEY)) {
                metadata = metadata(file, e.getValue());
            } else {
                tensors.put(e.getKey(), tensor(file, e.getKey(), e.getValue(), dataSize));
            }
        }
        checkNoOverlap(file, tensors.values());
        return new SafetensorsHeader(Collections.unmodifiableMap(tensors), metadata);
    }

    private static Map<String, String> metadata(Path file, JsonNode node) {
        if (!node.isObject()) {
            throw new TensorFileException(file, METADATA_KEY + " must be an object of strings");
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw new TensorFileException(file, METADATA_KEY + "." + e.getKey() + " must be a string, got "
                        + e.getValue().getNodeType());
            }
            map.put(e.getKey(), e.getValue().textValue());
        }
        return Collections.unmodifiableMap(map);
    }

    private static TensorInfo tensor(Path file, String name, JsonNode node, long dataSize) {
        String where = "tensor '" + name + "'";
        if (!node.isObject()) {
            throw new TensorFileException(file, where + " must be an object with dtype, shape and data_offsets");
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new TensorFileException(file, where + " has no dtype string");
        }
        SafetensorsDType dtype = SafetensorsDType.parse(dtypeNode.textValue()).orElseThrow(() ->
                new TensorFileException(file, where + " has unknown dtype '" + dtypeNode.textValue()
                        + "' (expected one of F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)"));
        long[] shape = longs(file, where, "shape", node.get("shape"), -1);
        long[] offsets = longs(file, where, "data_offsets", node.get("data_offsets"), 2);
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end || end > dataSize) {
            throw new TensorFileException(file, where + " data_offsets [" + begin + ", " + end
                    + "] are outside the data section of " + dataSize + " bytes");
        }
        long expected;
        try {
            long n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            expected = Math.multiplyExact(n, dtype.byteSize());
        } catch (ArithmeticException overflow) {
            throw new TensorFileException(file, where + " shape " + Arrays.toString(shape) + " is too large");
        }
        if (end - begin != expected) {
            throw new TensorFileException(file, where + " " + dtype + Arrays.toString(shape) + " needs "
                    + expected + " bytes but data_offsets [" + begin + ", " + end + "] span " + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static long[] longs(Path file, String where, String key, JsonNode node, int requiredLength) {
        if (node == null || !node.isArray() || (requiredLength >= 0 && node.size() != requiredLength)) {
            String length = requiredLength >= 0 ? " of " + requiredLength + " integers" : " of integers";
            throw new TensorFileException(file, where + " needs " + key + " as an array" + length);
        }
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                throw new TensorFileException(file, where + " " + key + "[" + i + "] must be a non-negative integer, got "
                        + v);
            }
            values[i] = v.longValue();
        }
        return values;
    }

    private static void checkNoOverlap(Path file, Iterable<TensorInfo> tensors) {
        List<TensorInfo> sorted = new ArrayList<>();
        for (TensorInfo t : tensors) {
            if (t.byteSize() > 0) {
                sorted.add(t);
            }
        }
        sorted.sort(Comparator.comparingLong(TensorInfo::begin));
        for (int i = 1; i < sorted.size(); i++) {
            TensorInfo prev = sorted.get(i - 1);
            TensorInfo next = sorted.get(i);
            if (next.begin() < prev.end()) {
                throw new TensorFileException(file, "tensors '" + prev.name() + "' [" + prev.begin() + ", " + prev.end()
                        + "] and '" + next.name() + "' [" + next.begin() + ", " + next.end() + "] overlap");
            }
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
