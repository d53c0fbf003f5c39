package org.commvq.cache.codebook;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.commvq.cache.io.SafetensorsFile;
import org.commvq.cache.io.SafetensorsWriter;
import org.commvq.cache.io.TensorFileException;

/**
 * Our codebook file: a safetensors file of fp32 tensors whose {@code __metadata__} holds the {@link CodebookHeader}
 * as one JSON string under {@value #METADATA_KEY}. Safetensors keeps the tensors readable by any tool, and the header
 * lets a loader refuse a codebook made for another model before touching the tensors.
 */
public record CodebookFile(Path path, CodebookHeader header, Map<String, CodebookTensor> tensors) {
    public static final String METADATA_KEY = "commvq_codebook";

    public CodebookFile {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    /** Writes atomically: the target is replaced only once the whole file is on disk. */
    public static void write(Path file, CodebookHeader header, Map<String, CodebookTensor> tensors) {
        SafetensorsWriter writer = new SafetensorsWriter().metadata(METADATA_KEY, CodebookHeaderJson.write(header));
        try {
            tensors.forEach((name, t) -> writer.f32(name, t.data(), t.shape()));
            writer.write(file);
        } catch (TensorFileException e) {
            throw new CodebookException(file, e.problem(), e);
        } catch (IllegalArgumentException e) {
            throw new CodebookException(file, "cannot write codebook: " + e.getMessage(), e);
        }
    }

    public static CodebookFile read(Path file) {
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            String json = st.metadata().get(METADATA_KEY);
            if (json == null) {
                throw new CodebookException(file, "not a codebook file (no '" + METADATA_KEY + "' in __metadata__)");
            }
            CodebookHeader header = CodebookHeaderJson.read(file, json);
            Map<String, CodebookTensor> tensors = new LinkedHashMap<>();
            for (String name : st.tensorNames()) {
                tensors.put(name, new CodebookTensor(st.floats(name), st.info(name).shape()));
            }
            return new CodebookFile(file, header, tensors);
        } catch (TensorFileException e) {
            throw new CodebookException(file, e.problem(), e);
        }
    }

    /** The named tensor, refusing a file that lacks it. */
    public CodebookTensor tensor(String name) {
        CodebookTensor t = tensors.get(name);
        if (t == null) {
            throw new CodebookException(path, "no tensor '" + name + "'");
        }
        return t;
    }
}
