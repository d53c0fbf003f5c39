package org.commvq.model.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.commvq.cache.ModelShape;
import org.commvq.cache.RopeParameters;
import org.commvq.model.ModelFormatException;
import org.commvq.model.tokenizer.SharedFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfConfigTest {
    /** Llama 3.1 8B's config.json as transformers 4 wrote it (rope_scaling, list of EOS ids). */
    private static final String LLAMA31 = """
            {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "bos_token_id": 128000,
             "eos_token_id": [128001, 128008, 128009], "hidden_act": "silu", "hidden_size": 4096,
             "intermediate_size": 14336, "max_position_embeddings": 131072, "mlp_bias": false,
             "model_type": "llama", "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8,
             "rms_norm_eps": 1e-05, "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0,
             "high_freq_factor": 4.0, "original_max_position_embeddings": 8192, "rope_type": "llama3"},
             "rope_theta": 500000.0, "tie_word_embeddings": false, "torch_dtype": "bfloat16", "vocab_size": 128256}
            """;

    @TempDir
    Path dir;

    private Path write(String json) throws IOException {
        Path p = dir.resolve("config.json");
        Files.writeString(p, json);
        return p;
    }

    @Test
    void tinyModelGivesTheReadmeShape() {
        HfConfig c = HfConfig.read(SharedFixtures.tinyModel().resolve("config.json"));
        assertEquals(new ModelShape(8, 512, 4, 2, 128, 1536, 4096, 2048, 1e-5f, RopeParameters.plain(500000)),
                c.toShape());
        assertFalse(c.tieWordEmbeddings());
        assertEquals(0, c.bosTokenId());
        assertEquals(List.of(1), c.eosTokenIds());
    }

    @Test
    void llama3ScalingFromRopeScaling() throws IOException {
        HfConfig c = HfConfig.read(write(LLAMA31));
        ModelShape s = c.toShape();
        assertEquals(RopeParameters.llama3(500000, 8, 1, 4, 8192), s.rope());
        assertEquals(128, s.headDim());
        assertEquals(8, s.kvHeads());
        assertEquals(131072, s.contextLength());
        assertEquals(List.of(128001, 128008, 128009), c.eosTokenIds());
    }

    @Test
    void llama3ScalingFromTransformers5RopeParameters() throws IOException {
        String json = LLAMA31.replace("\"rope_scaling\"", "\"rope_parameters\"")
                .replace("\"rope_type\": \"llama3\"}", "\"rope_type\": \"llama3\", \"rope_theta\": 250000.0}");
        assertEquals(RopeParameters.llama3(250000, 8, 1, 4, 8192), HfConfig.read(write(json)).rope());
    }

    @Test
    void defaultsForOptionalKeys() throws IOException {
        HfConfig c = HfConfig.read(write("""
                {"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
                 "intermediate_size": 128, "vocab_size": 300, "max_position_embeddings": 256, "rope_scaling": null}
                """));
        assertEquals(4, c.numKeyValueHeads());
        assertEquals(16, c.headDim());
        assertEquals(1e-6, c.rmsNormEps());
        assertEquals(RopeParameters.plain(10000), c.rope());
        assertEquals(-1, c.bosTokenId());
        assertTrue(c.eosTokenIds().isEmpty());
    }

    private void refused(String json, String fragment) throws IOException {
        Path p = write(json);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> HfConfig.read(p));
        assertTrue(e.getMessage().startsWith(p + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    @Test
    void badConfigsAreRefusedNamingTheFileAndKey() throws IOException {
        refused(LLAMA31.replace("\"hidden_size\": 4096,", ""), "missing required key \"hidden_size\"");
        refused(LLAMA31.replace("\"model_type\": \"llama\"", "\"model_type\": \"mistral\""),
                "model_type is \"mistral\", expected \"llama\"");
        refused(LLAMA31.replace("\"model_type\": \"llama\",", ""), "missing required key \"model_type\"");
        refused(LLAMA31.replace("\"rope_type\": \"llama3\"", "\"rope_type\": \"yarn\""), "\"yarn\" is not supported");
        refused(LLAMA31.replace("\"factor\": 8.0,", ""), "missing required key \"factor\"");
        refused(LLAMA31.replace("\"num_key_value_heads\": 8", "\"num_key_value_heads\": 5"), "not a multiple");
        refused(LLAMA31.replace("\"vocab_size\": 128256", "\"vocab_size\": \"many\""), "\"vocab_size\" must be");
        refused(LLAMA31.replace("\"attention_bias\": false", "\"attention_bias\": true"), "biases");
        refused("{\"model_type\": ", "cannot read config JSON");
    }
}
