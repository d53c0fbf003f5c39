package org.commvq.tornado.backend;

import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

import org.commvq.cache.KvCacheFactory;
import org.commvq.model.forward.LlamaWeights;
import org.commvq.model.load.LoadedModel;
import org.commvq.tornado.plan.DeviceCacheSpec;
import org.commvq.tornado.plan.KvPrecision;
import org.commvq.tornado.plan.WeightFormat;

import uk.ac.manchester.tornado.api.common.TornadoDevice;

/** Which device layouts a session uses for a model's weights and for its cache, and what they are called. */
final class DeviceLayouts {
    /** Budget names of weight arrays (see DeviceLayer, HeadPlan), as opposed to activations and caches. */
    private static final Pattern WEIGHT = Pattern.compile(
            "(layer\\d+|head)\\.(wq|wk|wv|wo|wGate|wUp|wDown|attnNorm|ffnNorm|output|outputNorm)(\\..+)?");

    private DeviceLayouts() {
    }

    /**
     * The device cache for a --kv-cache type: fp32, fp16 (where the device has half floats), or commvq1/commvq2 with
     * the codebook file given, or else the shipped one made for the model.
     */
    static DeviceCacheSpec cache(String type, Path codebook, LoadedModel model, boolean halves, TornadoDevice device) {
        return switch (type) {
            case "fp32" -> new DeviceCacheSpec.Dense(KvPrecision.F32);
            case "fp16" -> {
                if (!halves) {
                    throw new IllegalArgumentException("--kv-cache fp16 on --device gpu needs half floats, which "
                            + TornadoDevices.name(device) + " does not compile; use --kv-cache fp32");
                }
                yield new DeviceCacheSpec.Dense(KvPrecision.F16);
            }
            case "commvq1", "commvq2" -> new DeviceCacheSpec.CommVq(
                    KvCacheFactory.commVqCodebooks(type, codebook, model.shape(), model.vocabHash()));
            default -> throw new IllegalArgumentException("--device gpu runs --kv-cache fp32, fp16, commvq1 and"
                    + " commvq2, got '" + type + "' (the other caches run on the CPU)");
        };
    }

    /**
     * The layout that multiplies by exactly the file's values: Q8_0 files keep their quants, F16 ones their halves
     * (float32 where the device has no half floats), and every other type is widened to float32. A non-empty
     * override (f32, f16, q8_0) picks one instead.
     */
    static WeightFormat weights(LlamaWeights weights, String override, boolean halves, TornadoDevice device) {
        WeightFormat format;
        if (override.isEmpty()) {
            format = switch (weights.layers().getFirst().wq().typeName()) {
                case "Q8_0" -> WeightFormat.Q8_0;
                case "F16" -> halves ? WeightFormat.F16 : WeightFormat.F32;
                default -> WeightFormat.F32;
            };
        } else {
            format = switch (override.toLowerCase(Locale.ROOT)) {
                case "f32" -> WeightFormat.F32;
                case "f16" -> WeightFormat.F16;
                case "q8_0" -> WeightFormat.Q8_0;
                default -> throw new IllegalArgumentException("--gpu-weights must be f32, f16 or q8_0, got '"
                        + override + "'");
            };
        }
        if (format == WeightFormat.F16 && !halves) {
            throw new IllegalArgumentException("--gpu-weights f16 needs half floats, which "
                    + TornadoDevices.name(device) + " does not compile");
        }
        return format;
    }

    static String describe(WeightFormat format) {
        return switch (format) {
            case F32 -> "F32";
            case F16 -> "F16";
            case Q8_0 -> "Q8_0 (int8 quants + f32 scales)";
        };
    }

    static boolean isWeight(String budgetName) {
        return WEIGHT.matcher(budgetName).matches();
    }

    /** TornadoVM's size syntax: bytes, or a number with KB, MB, GB, TB (powers of 1024). */
    static long parseSize(String size) {
        String s = size.strip().toUpperCase(Locale.ROOT);
        String units = "KMGT";
        try {
            if (s.endsWith("B") && s.length() >= 3 && units.indexOf(s.charAt(s.length() - 2)) >= 0) {
                int power = units.indexOf(s.charAt(s.length() - 2)) + 1;
                return Math.multiplyExact(Long.parseLong(s.substring(0, s.length() - 2)), 1L << (10 * power));
            }
            return Long.parseLong(s);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("-D" + TornadoDevices.MEMORY_CAP + "=" + size
                    + ": expected bytes or a number with KB, MB, GB or TB");
        }
    }
}
