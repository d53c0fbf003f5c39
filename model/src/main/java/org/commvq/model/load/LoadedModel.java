package org.commvq.model.load;

import java.nio.file.Path;
import java.util.Map;
import org.commvq.cache.ModelShape;
import org.commvq.model.forward.LlamaForward;
import org.commvq.model.forward.LlamaWeights;
import org.commvq.model.tokenizer.Llama3Tokenizer;

/**
 * A model ready to run: shape, weights (memory-mapped where the type allows), tokenizer, and the file's descriptive
 * metadata for `commvq info`. Closing it unmaps the files.
 *
 * @param format     e.g. "GGUF v3" or "safetensors"
 * @param weightType the dominant matrix type, e.g. "Q8_0"
 * @param vocabHash  SHA-256 of the vocabulary, the fingerprint codebook files are checked against
 * @param metadata   human-readable key/value pairs to print
 */
public record LoadedModel(Path source, String format, String name, String weightType, ModelShape shape,
                          LlamaWeights weights, Llama3Tokenizer tokenizer, String vocabHash,
                          Map<String, String> metadata, AutoCloseable resources) implements AutoCloseable {

    public LlamaForward forward() {
        return new LlamaForward(shape, weights);
    }

    @Override
    public void close() {
        try {
            resources.close();
        } catch (Exception e) {
            throw new IllegalStateException(source + ": could not release the model files: " + e.getMessage(), e);
        }
    }
}
