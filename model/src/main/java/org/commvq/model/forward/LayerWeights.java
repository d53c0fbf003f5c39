package org.commvq.model.forward;

import org.commvq.model.tensor.WeightMatrix;

/** One transformer block. Q and K rows are in the interleaved RoPE pair layout (GGUF order). */
public record LayerWeights(float[] attnNorm, WeightMatrix wq, WeightMatrix wk, WeightMatrix wv, WeightMatrix wo,
                           float[] ffnNorm, WeightMatrix wGate, WeightMatrix wUp, WeightMatrix wDown) {
}
