package org.commvq.cache.codebook;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Optional;
import org.commvq.cache.ModelShape;
import org.commvq.cache.RopeParameters;

/**
 * What a codebook was trained for: the shapes its tensors depend on, the RoPE frequencies its keys were collected
 * under, and a hash of the vocabulary (supplied by the caller, hex) that tells two tokenizations apart.
 */
public record ModelFingerprint(int layers, int heads, int kvHeads, int headDim, double ropeTheta, double ropeFactor,
                               double ropeLowFreqFactor, double ropeHighFreqFactor, int ropeOriginalContext,
                               String vocabHash) {

    public ModelFingerprint {
        if (vocabHash == null || !vocabHash.matches("[0-9a-fA-F]+")) {
            throw new IllegalArgumentException("vocabulary hash must be a hex string, got '" + vocabHash + "'");
        }
        vocabHash = vocabHash.toLowerCase(Locale.ROOT);
    }

    public static ModelFingerprint of(ModelShape shape, String vocabHash) {
        RopeParameters r = shape.rope();
        return new ModelFingerprint(shape.layers(), shape.heads(), shape.kvHeads(), shape.headDim(), r.theta(),
                r.factor(), r.lowFreqFactor(), r.highFreqFactor(), r.originalContext(), vocabHash);
    }

    /**
     * The first field in which {@code model} differs from this fingerprint, as "made for X a, this model has X b".
     * The llama3 scaling fields count only when one side scales (factor ≠ 1); without scaling they mean nothing.
     */
    public Optional<String> firstMismatch(ModelFingerprint model) {
        if (layers != model.layers) {
            return differ("layers", layers, model.layers);
        }
        if (heads != model.heads) {
            return differ("heads", heads, model.heads);
        }
        if (kvHeads != model.kvHeads) {
            return differ("kv_heads", kvHeads, model.kvHeads);
        }
        if (headDim != model.headDim) {
            return differ("head_dim", headDim, model.headDim);
        }
        if (Double.compare(ropeTheta, model.ropeTheta) != 0) {
            return differ("rope_theta", number(ropeTheta), number(model.ropeTheta));
        }
        if (Double.compare(ropeFactor, model.ropeFactor) != 0) {
            return differ("rope_factor", number(ropeFactor), number(model.ropeFactor));
        }
        if (ropeFactor != 1.0) {
            if (Double.compare(ropeLowFreqFactor, model.ropeLowFreqFactor) != 0) {
                return differ("rope_low_freq_factor", number(ropeLowFreqFactor), number(model.ropeLowFreqFactor));
            }
            if (Double.compare(ropeHighFreqFactor, model.ropeHighFreqFactor) != 0) {
                return differ("rope_high_freq_factor", number(ropeHighFreqFactor), number(model.ropeHighFreqFactor));
            }
            if (ropeOriginalContext != model.ropeOriginalContext) {
                return differ("rope_original_context", ropeOriginalContext, model.ropeOriginalContext);
            }
        }
        if (!vocabHash.equals(model.vocabHash)) {
            return differ("vocab_hash", vocabHash, model.vocabHash);
        }
        return Optional.empty();
    }

    private static Optional<String> differ(String field, Object made, Object has) {
        return Optional.of("made for " + field + " " + made + ", this model has " + field + " " + has);
    }

    private static String number(double x) {
        return BigDecimal.valueOf(x).stripTrailingZeros().toPlainString();
    }
}
