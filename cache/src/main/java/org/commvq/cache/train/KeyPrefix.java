package org.commvq.cache.train;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import org.commvq.cache.codebook.CodebookException;
import org.commvq.cache.codebook.CodebookFile;
import org.commvq.cache.codebook.CodebookHeader;
import org.commvq.cache.codebook.CodebookTensor;
import org.commvq.cache.commvq.CommVqCodebookFile;
import org.commvq.cache.commvq.CommVqKeyCodebook;

/**
 * The first R key stages of an existing CommVQ codebook file, taken instead of training them again (a 1-bit
 * codebook from a 2-bit one). Refused unless the file's keys were trained on the same collection with the same
 * key settings, which is what makes its first R stages exactly those this run would train.
 */
final class KeyPrefix {
    static final String KEY_SETTINGS = "key_settings";

    private final CodebookFile file;
    private final int stages;
    private final int sourceStages;

    private KeyPrefix(CodebookFile file, int stages, int sourceStages) {
        this.file = file;
        this.stages = stages;
        this.sourceStages = sourceStages;
    }

    static KeyPrefix read(Path path, KvManifest m, int stages, String keySettings) {
        CodebookFile f = CodebookFile.read(path);
        CodebookHeader h = f.header();
        h.requireMethod(CommVqCodebookFile.METHOD);
        if (!h.model().equals(m.model())) {
            throw new CodebookException(path, "was trained for another model than the KV collection's");
        }
        int have = h.stages(CommVqCodebookFile.KEYS);
        if (have < stages) {
            throw new CodebookException(path, "has " + have + " key stages, " + stages + " are needed");
        }
        if (!keySettings.equals(h.provenance().get(KEY_SETTINGS))) {
            throw new CodebookException(path, "its keys were trained with other settings or data ("
                    + h.provenance().get(KEY_SETTINGS) + " vs " + keySettings + ")");
        }
        return new KeyPrefix(f, stages, have);
    }

    /** θ of one layer, [H][R][P][64][2], the first R of the file's stages. */
    float[] layer(int layer) {
        CodebookTensor t = file.tensor("layers." + layer + ".key_theta");
        int heads = t.dim(0);
        int stageSize = t.dim(2) * CommVqKeyCodebook.ENTRIES * 2;
        float[] out = new float[heads * stages * stageSize];
        for (int h = 0; h < heads; h++) {
            System.arraycopy(t.data(), h * sourceStages * stageSize, out, h * stages * stageSize,
                    stages * stageSize);
        }
        return out;
    }

    /** SHA-256 of a text, hex: a short stand-in for a long identity string. */
    static String digest(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(Arrays.copyOf(d, 16));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
