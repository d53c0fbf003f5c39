package org.commvq.model.gguf;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

import org.commvq.model.ModelFormatException;

/**
 * The key/value metadata of a GGUF file, in file order. The typed getters accept every GGUF type that holds the
 * requested kind of value (getInt takes any integer type whose value fits in an int, getFloat any number), because
 * writers disagree on widths: the same key is uint32 in one file and int32 or uint64 in another. Missing keys and
 * values of the wrong kind raise a {@link ModelFormatException} that names the file, the key and what was expected.
 * Each getter has a {@code find} twin returning an Optional and, for scalars, a twin taking a default.
 */
public final class GgufMetadata {
    private final Path file;
    private final Map<String, GgufValue> values;

    GgufMetadata(Path file, Map<String, GgufValue> values) {
        this.file = file;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public Path file() {
        return file;
    }

    /** Keys in file order. */
    public Set<String> keys() {
        return values.keySet();
    }

    /** Key → value in file order. */
    public Map<String, GgufValue> asMap() {
        return values;
    }

    public int size() {
        return values.size();
    }

    public boolean contains(String key) {
        return values.containsKey(key);
    }

    public Optional<GgufValue> find(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public GgufValue get(String key) {
        return find(key).orElseThrow(() -> missing(key, "a value"));
    }

    public GgufValueType type(String key) {
        return get(key).type();
    }

    public OptionalInt findInt(String key) {
        GgufValue v = values.get(key);
        return v == null ? OptionalInt.empty() : OptionalInt.of(toInt(key, v));
    }

    public int getInt(String key) {
        return findInt(key).orElseThrow(() -> missing(key, "an integer"));
    }

    public int getInt(String key, int defaultValue) {
        return findInt(key).orElse(defaultValue);
    }

    public OptionalLong findLong(String key) {
        GgufValue v = values.get(key);
        return v == null ? OptionalLong.empty() : OptionalLong.of(toLong(key, v));
    }

    public long getLong(String key) {
        return findLong(key).orElseThrow(() -> missing(key, "an integer"));
    }

    public long getLong(String key, long defaultValue) {
        return findLong(key).orElse(defaultValue);
    }

    public OptionalDouble findDouble(String key) {
        GgufValue v = values.get(key);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(toDouble(key, v));
    }

    public double getDouble(String key) {
        return findDouble(key).orElseThrow(() -> missing(key, "a number"));
    }

    public double getDouble(String key, double defaultValue) {
        return findDouble(key).orElse(defaultValue);
    }

    public Optional<Float> findFloat(String key) {
        GgufValue v = values.get(key);
        if (v == null) {
            return Optional.empty();
        }
        return Optional.of(v.type() == GgufValueType.FLOAT32 ? (Float) v.value() : (float) toDouble(key, v));
    }

    public float getFloat(String key) {
        return findFloat(key).orElseThrow(() -> missing(key, "a number"));
    }

    public float getFloat(String key, float defaultValue) {
        return findFloat(key).orElse(defaultValue);
    }

    public Optional<String> findString(String key) {
        return find(key).map(v -> (String) require(key, v, GgufValueType.STRING, "a string"));
    }

    public String getString(String key) {
        return findString(key).orElseThrow(() -> missing(key, "a string"));
    }

    public String getString(String key, String defaultValue) {
        return findString(key).orElse(defaultValue);
    }

    public Optional<Boolean> findBoolean(String key) {
        return find(key).map(v -> (Boolean) require(key, v, GgufValueType.BOOL, "a bool"));
    }

    public boolean getBoolean(String key) {
        return findBoolean(key).orElseThrow(() -> missing(key, "a bool"));
    }

    public boolean getBoolean(String key, boolean defaultValue) {
        return findBoolean(key).orElse(defaultValue);
    }

    public Optional<GgufArray> findArray(String key) {
        return find(key).map(v -> (GgufArray) require(key, v, GgufValueType.ARRAY, "an array"));
    }

    public GgufArray getArray(String key) {
        return findArray(key).orElseThrow(() -> missing(key, "an array"));
    }

    /** A string array as a read-only list. */
    public Optional<List<String>> findStringList(String key) {
        return findArray(key).map(a -> {
            requireElements(key, a, a.elementType() == GgufValueType.STRING, "strings");
            return a.strings();
        });
    }

    public List<String> getStringList(String key) {
        return findStringList(key).orElseThrow(() -> missing(key, "an array of strings"));
    }

    /** An array of any integer type whose every element fits in an int. */
    public Optional<int[]> findIntArray(String key) {
        return findArray(key).map(a -> {
            requireElements(key, a, a.elementType().isInteger(), "integers");
            int[] out = new int[a.size()];
            for (int i = 0; i < out.length; i++) {
                long v = a.getLong(i);
                if (v != (int) v || (a.elementType() == GgufValueType.UINT64 && v < 0)) {
                    throw new ModelFormatException(file, "metadata '" + key + "' element " + i + " = "
                            + (a.elementType() == GgufValueType.UINT64 ? Long.toUnsignedString(v) : v)
                            + " does not fit in an int");
                }
                out[i] = (int) v;
            }
            return out;
        });
    }

    public int[] getIntArray(String key) {
        return findIntArray(key).orElseThrow(() -> missing(key, "an array of integers"));
    }

    /** An array of numbers, converted to float. */
    public Optional<float[]> findFloatArray(String key) {
        return findArray(key).map(a -> {
            GgufValueType t = a.elementType();
            requireElements(key, a, t.isInteger() || t.isFloat(), "numbers");
            float[] out = new float[a.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) a.getDouble(i);
            }
            return out;
        });
    }

    public float[] getFloatArray(String key) {
        return findFloatArray(key).orElseThrow(() -> missing(key, "an array of numbers"));
    }

    private int toInt(String key, GgufValue v) {
        long l = toLong(key, v);
        if (l != (int) l) {
            throw new ModelFormatException(file, "metadata '" + key + "' = " + v + " does not fit in an int");
        }
        return (int) l;
    }

    private long toLong(String key, GgufValue v) {
        if (!v.type().isInteger()) {
            throw wrongType(key, v, "an integer");
        }
        long l = (Long) v.value();
        if (v.type() == GgufValueType.UINT64 && l < 0) {
            throw new ModelFormatException(file, "metadata '" + key + "' = " + v + " does not fit in a long");
        }
        return l;
    }

    private double toDouble(String key, GgufValue v) {
        return switch (v.type()) {
            case FLOAT32 -> (Float) v.value();
            case FLOAT64 -> (Double) v.value();
            case UINT64 -> GgufArray.unsignedToDouble((Long) v.value());
            default -> {
                if (!v.type().isInteger()) {
                    throw wrongType(key, v, "a number");
                }
                yield (Long) v.value();
            }
        };
    }

    private Object require(String key, GgufValue v, GgufValueType type, String expected) {
        if (v.type() != type) {
            throw wrongType(key, v, expected);
        }
        return v.value();
    }

    private void requireElements(String key, GgufArray a, boolean ok, String expected) {
        if (!ok) {
            throw new ModelFormatException(file, "metadata '" + key + "' is an array of " + a.elementType()
                    + ", expected an array of " + expected);
        }
    }

    private ModelFormatException wrongType(String key, GgufValue v, String expected) {
        String actual = v.type() == GgufValueType.ARRAY ? "an array of " + ((GgufArray) v.value()).elementType()
                : "a " + v.type();
        return new ModelFormatException(file, "metadata '" + key + "' is " + actual + ", expected " + expected);
    }

    private ModelFormatException missing(String key, String expected) {
        return new ModelFormatException(file, "metadata '" + key + "' is missing, expected " + expected);
    }
}
