package org.commvq.model.tensor;

import java.lang.foreign.MemorySegment;

/** Checks that a segment holds exactly the bytes a rows × cols matrix of some type needs. */
final class MatrixBytes {
    private MatrixBytes() {
    }

    static void require(MemorySegment data, long expectedBytes, String type, int rows, int cols) {
        if (data.byteSize() != expectedBytes) {
            throw new IllegalArgumentException(type + " matrix " + rows + "x" + cols + " needs " + expectedBytes
                    + " bytes, the segment has " + data.byteSize());
        }
    }

    static void requireWholeBlocks(String type, int blockSize, int rows, int cols) {
        if (cols % blockSize != 0) {
            throw new IllegalArgumentException(type + " matrix " + rows + "x" + cols + ": the row length must be a"
                    + " multiple of " + blockSize);
        }
    }
}
