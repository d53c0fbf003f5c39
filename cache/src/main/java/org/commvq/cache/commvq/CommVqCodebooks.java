package org.commvq.cache.commvq;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a CommVQ cache needs besides the tokens: the key codebooks of all layers and one value codec per layer.
 * Bits per value channel and key stages R come from the contents (R = 11 for the official 1-bit files, 21 for
 * 2-bit).
 */
public record CommVqCodebooks(CommVqKeyCodebook keys, List<CommVqValueCodec> values) {

    public CommVqCodebooks {
        values = List.copyOf(values);
        if (values.size() != keys.layers()) {
            throw new IllegalArgumentException("CommVQ codebooks have key tables for " + keys.layers()
                    + " layers but value codecs for " + values.size());
        }
        int width = keys.kvHeads() * 2 * keys.pairs();
        for (int l = 0; l < values.size(); l++) {
            CommVqValueCodec v = values.get(l);
            if (v.featureDim() != width) {
                throw new IllegalArgumentException("value codec of layer " + l + " has width " + v.featureDim()
                        + ", the key codebooks " + width);
            }
            if (v.bits() != values.get(0).bits()) {
                throw new IllegalArgumentException("value codec of layer " + l + " has " + v.bits()
                        + " bits, layer 0 has " + values.get(0).bits());
            }
        }
    }

    /** Reads tensors named as {@link #toTensors()} writes them. */
    public static CommVqCodebooks fromTensors(Map<String, CommVqTensor> tensors, int layers) {
        CommVqKeyCodebook keys = CommVqKeyCodebook.fromTensors(tensors, layers);
        CommVqValueCodec[] values = new CommVqValueCodec[layers];
        for (int l = 0; l < layers; l++) {
            values[l] = new CommVqValueCodec(CommVqValueParameters.fromTensors(tensors, valuePrefix(l)));
        }
        return new CommVqCodebooks(keys, List.of(values));
    }

    /** "layers.{l}.key_theta" and "layers.{l}.value.{official suffix}" for every layer. */
    public Map<String, CommVqTensor> toTensors() {
        Map<String, CommVqTensor> out = new LinkedHashMap<>(keys.toTensors());
        for (int l = 0; l < values.size(); l++) {
            out.putAll(values.get(l).parameters().toTensors(valuePrefix(l)));
        }
        return out;
    }

    static String valuePrefix(int layer) {
        return "layers." + layer + ".value.";
    }

    /** Value bits per channel: 1 or 2 for the official files. */
    public int bits() {
        return values.get(0).bits();
    }

    public int stages() {
        return keys.stages();
    }

    /** Bytes that attention reads besides the tokens: θ and the value codebooks E (fp32). */
    public long codebookBytes() {
        long bytes = keys.thetaBytes();
        for (CommVqValueCodec v : values) {
            bytes += v.codebookBytes();
        }
        return bytes;
    }

    /** Bytes of the key tables derived from θ at load time (split rows, cross terms, energies). */
    public long derivedTableBytes() {
        return keys.derivedTableBytes();
    }

    /** Bytes of the value encoder networks and λ, only used to compress. */
    public long encoderBytes() {
        long bytes = 0;
        for (CommVqValueCodec v : values) {
            bytes += v.encoderBytes();
        }
        return bytes;
    }
}
