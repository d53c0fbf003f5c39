package org.commvq.model.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector shapes the weight kernels use. Floats are capped at 16 lanes because a quantized block holds 32 weights
 * and the kernels convert one 16-byte load at a time; they are at least 4 lanes so that the matching short species
 * exists. Shorts and ints use as many lanes as the floats, so one half-precision load widens to one float vector.
 */
final class KernelSpecies {
    static final VectorSpecies<Float> FLOAT = pickFloat();
    static final VectorSpecies<Integer> INT = VectorSpecies.of(int.class, FLOAT.vectorShape());
    static final VectorSpecies<Short> SHORT =
            VectorSpecies.of(short.class, VectorShape.forBitSize(FLOAT.vectorBitSize() / 2));
    static final VectorSpecies<Byte> BYTE_16 = ByteVector.SPECIES_128;

    private KernelSpecies() {
    }

    private static VectorSpecies<Float> pickFloat() {
        int bits = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        if (bits > 512) {
            return FloatVector.SPECIES_512;
        }
        if (bits < 128) {
            return FloatVector.SPECIES_128;
        }
        return FloatVector.SPECIES_PREFERRED;
    }
}
