package org.commvq.model.load;

import java.nio.file.Files;
import java.nio.file.Path;
import org.commvq.model.synth.SyntheticModel;
import java.util.LinkedHashMap;
import java.util.Map;
import org.commvq.model.ModelFormatException;
import org.commvq.model.hf.HfCheckpoint;
import org.commvq.model.tokenizer.Llama3Tokenizer;

/** Opens a model from a GGUF file or a Hugging Face model directory, whichever the path is. */
public final class ModelLoader {
    private ModelLoader() {
    }

    /** Also opens {@code synthetic:SHAPE[@SEED]} ({@link SyntheticModel}), which names no file. */
    public static LoadedModel load(Path path) {
        if (SyntheticModel.isSpec(path.toString())) {
            return SyntheticModel.open(path.toString());
        }
        if (!Files.exists(path)) {
            throw new ModelFormatException(path, "no such file or directory (expected a .gguf file or a Hugging Face"
                    + " model directory)");
        }
        if (!Files.isReadable(path)) {
            throw new ModelFormatException(path, "not readable (permission denied)");
        }
        if (Files.isDirectory(path)) {
            return loadHf(path);
        }
        return GgufModelLoader.load(path);
    }

    private static LoadedModel loadHf(Path dir) {
        Path tokenizerJson = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new ModelFormatException(tokenizerJson, "missing: a Hugging Face model directory needs tokenizer.json");
        }
        HfCheckpoint checkpoint = HfCheckpoint.load(dir);
        try {
            Llama3Tokenizer tokenizer = Llama3Tokenizer.fromTokenizerJson(tokenizerJson);
            if (tokenizer.vocabSize() > checkpoint.shape().vocab()) {
                throw new ModelFormatException(tokenizerJson, "has " + tokenizer.vocabSize()
                        + " tokens, more than the model's vocab_size " + checkpoint.shape().vocab());
            }
            Map<String, String> md = new LinkedHashMap<>();
            md.put("config.json", checkpoint.config().toString());
            return new LoadedModel(dir, "safetensors", dir.getFileName().toString(), checkpoint.weightType(),
                    checkpoint.shape(), checkpoint.weights(), tokenizer, tokenizer.vocabularyHash(), md, checkpoint);
        } catch (RuntimeException e) {
            checkpoint.close();
            throw e;
        }
    }
}
