package org.commvq.model.gguf;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;

import org.commvq.model.ModelFormatException;
import org.commvq.model.tensor.WeightMatrices;
import org.commvq.model.tensor.WeightMatrix;

/**
 * One tensor of an open {@link GgufFile}: its declared shape and type, and its bytes as a slice of the mapped file.
 * Valid until the file is closed. Dims are ggml's, innermost first: a matrix with dims [cols, rows] stores rows
 * consecutive rows of cols values.
 */
public final class GgufTensor {
    private final Path file;
    private final GgufTensorInfo info;
    private final long fileOffset;
    private final MemorySegment data;

    GgufTensor(Path file, GgufTensorInfo info, long fileOffset, MemorySegment data) {
        this.file = file;
        this.info = info;
        this.fileOffset = fileOffset;
        this.data = data;
    }

    public String name() {
        return info.name();
    }

    public GgmlType type() {
        return info.type();
    }

    /** Dimensions, innermost first (a copy). */
    public long[] dims() {
        return info.dims().clone();
    }

    public int rank() {
        return info.dims().length;
    }

    public long elementCount() {
        return info.elementCount();
    }

    /** Offset of the data from the start of the data section, as the tensor info declares it. */
    public long offset() {
        return info.offset();
    }

    /** Offset of the data from the start of the file. */
    public long fileOffset() {
        return fileOffset;
    }

    public long byteSize() {
        return info.byteSize();
    }

    /** The tensor's bytes in ggml layout, read-only. */
    public MemorySegment data() {
        return data;
    }

    /**
     * The tensor as a rows × cols matrix, rows = dims[1] and cols = dims[0]. Trailing dimensions of size 1 are
     * ignored, as ggml pads shapes with them.
     */
    public WeightMatrix matrix() {
        long[] dims = info.dims();
        for (int d = 2; d < dims.length; d++) {
            if (dims[d] != 1) {
                throw notMatrix();
            }
        }
        if (dims.length < 2) {
            throw notMatrix();
        }
        long cols = dims[0];
        long rows = dims[1];
        if (rows > Integer.MAX_VALUE || cols > Integer.MAX_VALUE) {
            throw new ModelFormatException(file, "tensor '" + name() + "' dims " + Arrays.toString(dims)
                    + " are too large: expected rows and columns below 2^31");
        }
        return WeightMatrices.create(type(), data, (int) rows, (int) cols);
    }

    /** All values decoded to float32, for small tensors such as norm weights. */
    public float[] toFloats() {
        if (elementCount() > Integer.MAX_VALUE - 8) {
            throw new ModelFormatException(file, "tensor '" + name() + "' has " + elementCount()
                    + " values, too many for one float array");
        }
        return WeightMatrices.toFloats(type(), data, (int) elementCount());
    }

    private ModelFormatException notMatrix() {
        return new ModelFormatException(file, "tensor '" + name() + "' has dims " + Arrays.toString(info.dims())
                + ", expected a 2-D matrix");
    }

    @Override
    public String toString() {
        return name() + " " + type() + " " + Arrays.toString(info.dims());
    }
}
