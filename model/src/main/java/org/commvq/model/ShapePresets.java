package org.commvq.model;

import java.util.LinkedHashMap;
import java.util.Map;
import org.commvq.cache.ModelShape;
import org.commvq.cache.RopeParameters;

/** The published shapes of the LLaMA models we measure against, by the names the CLI accepts. */
public final class ShapePresets {
    private static final Map<String, ModelShape> PRESETS = new LinkedHashMap<>();

    static {
        PRESETS.put("tiny-llama-29m", new ModelShape(8, 512, 4, 2, 128, 1536, 4096, 2048, 1e-5f,
                RopeParameters.plain(500000)));
        PRESETS.put("llama-3.2-1b", new ModelShape(16, 2048, 32, 8, 64, 8192, 128256, 131072, 1e-5f,
                RopeParameters.llama3(500000, 32, 1, 4, 8192)));
        PRESETS.put("llama-3.2-3b", new ModelShape(28, 3072, 24, 8, 128, 8192, 128256, 131072, 1e-5f,
                RopeParameters.llama3(500000, 32, 1, 4, 8192)));
        PRESETS.put("llama-3.1-8b", new ModelShape(32, 4096, 32, 8, 128, 14336, 128256, 131072, 1e-5f,
                RopeParameters.llama3(500000, 8, 1, 4, 8192)));
    }

    private ShapePresets() {
    }

    public static Iterable<String> names() {
        return PRESETS.keySet();
    }

    public static ModelShape get(String name) {
        ModelShape s = PRESETS.get(name);
        if (s == null) {
            throw new IllegalArgumentException("--shape '" + name + "' is not one of " + PRESETS.keySet());
        }
        return s;
    }
}
