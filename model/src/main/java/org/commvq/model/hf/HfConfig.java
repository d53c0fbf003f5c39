package org.commvq.model.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.commvq.cache.ModelShape;
import org.commvq.cache.RopeParameters;
import org.commvq.model.ModelFormatException;

/**
 * The parts of an HF {@code config.json} of a {@code LlamaForCausalLM} that inference needs. Optional keys take the
 * defaults of transformers' {@code LlamaConfig}; features this engine does not implement (biases, other activations,
 * other RoPE scalings) are refused rather than ignored.
 *
 * @param bosTokenId  -1 when absent
 * @param eosTokenIds empty when absent (Llama 3.1 lists several)
 */
public record HfConfig(int hiddenSize, int numHiddenLayers, int numAttentionHeads, int numKeyValueHeads, int headDim,
                       int intermediateSize, int vocabSize, int maxPositionEmbeddings, double rmsNormEps,
                       RopeParameters rope, boolean tieWordEmbeddings, int bosTokenId, List<Integer> eosTokenIds) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double DEFAULT_ROPE_THETA = 10000.0;
    private static final double DEFAULT_RMS_EPS = 1e-6;

    public HfConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
    }

    public static HfConfig read(Path configJson) {
        JsonNode root;
        try {
            root = JSON.readTree(configJson.toFile());
        } catch (IOException e) {
            throw new ModelFormatException(configJson, "cannot read config JSON (" + e.getMessage().lines().findFirst()
                    .orElse("") + ")", e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelFormatException(configJson, "expected a JSON object");
        }
        return new Reader(configJson, root).config();
    }

    public ModelShape toShape() {
        return new ModelShape(numHiddenLayers, hiddenSize, numAttentionHeads, numKeyValueHeads, headDim,
                intermediateSize, vocabSize, maxPositionEmbeddings, (float) rmsNormEps, rope);
    }

    /** Reads keys with messages that name the file and the key. */
    private record Reader(Path file, JsonNode root) {
        HfConfig config() {
            String type = text("model_type");
            if (!type.equals("llama")) {
                throw new ModelFormatException(file, "model_type is \"" + type + "\", expected \"llama\"");
            }
            require(root.path("hidden_act").asText("silu").equals("silu"), "hidden_act must be \"silu\", got "
                    + root.path("hidden_act"));
            require(!root.path("attention_bias").asBoolean(false), "attention_bias is true; biases are not supported");
            require(!root.path("mlp_bias").asBoolean(false), "mlp_bias is true; biases are not supported");

            int hidden = positiveInt("hidden_size");
            int layers = positiveInt("num_hidden_layers");
            int heads = positiveInt("num_attention_heads");
            int kvHeads = root.hasNonNull("num_key_value_heads") ? positiveInt("num_key_value_heads") : heads;
            int headDim;
            if (root.hasNonNull("head_dim")) {
                headDim = positiveInt("head_dim");
            } else {
                require(hidden % heads == 0, "hidden_size " + hidden + " is not a multiple of num_attention_heads "
                        + heads + " and head_dim is not given");
                headDim = hidden / heads;
            }
            HfConfig c = new HfConfig(hidden, layers, heads, kvHeads, headDim, positiveInt("intermediate_size"),
                    positiveInt("vocab_size"), positiveInt("max_position_embeddings"),
                    root.hasNonNull("rms_norm_eps") ? positiveNumber(root, "rms_norm_eps") : DEFAULT_RMS_EPS,
                    rope(), root.path("tie_word_embeddings").asBoolean(false),
                    root.hasNonNull("bos_token_id") ? tokenId(root.get("bos_token_id"), "bos_token_id") : -1,
                    eosIds());
            try {
                c.toShape();
            } catch (IllegalArgumentException e) {
                throw new ModelFormatException(file, e.getMessage(), e);
            }
            return c;
        }

        /**
         * transformers 5 keeps theta and scaling in {@code rope_parameters}; older files have a top-level
         * {@code rope_theta} and an optional {@code rope_scaling}.
         */
        private RopeParameters rope() {
            JsonNode params = root.path("rope_parameters");
            JsonNode scaling = params.isObject() ? params : root.path("rope_scaling");
            String where = params.isObject() ? "rope_parameters" : "rope_scaling";
            double theta = params.hasNonNull("rope_theta") ? positiveNumber(params, "rope_theta")
                    : root.hasNonNull("rope_theta") ? positiveNumber(root, "rope_theta") : DEFAULT_ROPE_THETA;
            String type = scaling.isObject()
                    ? scaling.path("rope_type").asText(scaling.path("type").asText("default")) : "default";
            try {
                return switch (type) {
                    case "default" -> RopeParameters.plain(theta);
                    case "llama3" -> RopeParameters.llama3(theta, positiveNumber(scaling, "factor"),
                            positiveNumber(scaling, "low_freq_factor"), positiveNumber(scaling, "high_freq_factor"),
                            (int) positiveNumber(scaling, "original_max_position_embeddings"));
                    default -> throw new ModelFormatException(file, where + ".rope_type \"" + type
                            + "\" is not supported (expected \"default\" or \"llama3\")");
                };
            } catch (IllegalArgumentException e) {
                throw new ModelFormatException(file, where + ": " + e.getMessage(), e);
            }
        }

        private List<Integer> eosIds() {
            JsonNode eos = root.path("eos_token_id");
            List<Integer> ids = new ArrayList<>();
            if (eos.isArray()) {
                eos.forEach(id -> ids.add(tokenId(id, "eos_token_id")));
            } else if (!eos.isMissingNode() && !eos.isNull()) {
                ids.add(tokenId(eos, "eos_token_id"));
            }
            return ids;
        }

        private String text(String key) {
            JsonNode v = root.get(key);
            if (v == null || v.isNull()) {
                throw new ModelFormatException(file, "missing required key \"" + key + "\"");
            }
            if (!v.isTextual()) {
                throw new ModelFormatException(file, "\"" + key + "\" must be a string, got " + v);
            }
            return v.textValue();
        }

        private int positiveInt(String key) {
            JsonNode v = root.get(key);
            if (v == null || v.isNull()) {
                throw new ModelFormatException(file, "missing required key \"" + key + "\"");
            }
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() <= 0) {
                throw new ModelFormatException(file, "\"" + key + "\" must be a positive integer, got " + v);
            }
            return v.intValue();
        }

        private double positiveNumber(JsonNode parent, String key) {
            JsonNode v = parent.get(key);
            if (v == null || v.isNull()) {
                throw new ModelFormatException(file, "missing required key \"" + key + "\"");
            }
            if (!v.isNumber() || !(v.doubleValue() > 0) || !Double.isFinite(v.doubleValue())) {
                throw new ModelFormatException(file, "\"" + key + "\" must be a positive number, got " + v);
            }
            return v.doubleValue();
        }

        private int tokenId(JsonNode v, String key) {
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0) {
                throw new ModelFormatException(file, "\"" + key + "\" must hold non-negative integers, got " + v);
            }
            return v.intValue();
        }

        private void require(boolean ok, String problem) {
            if (!ok) {
                throw new ModelFormatException(file, problem);
            }
        }
    }
}
