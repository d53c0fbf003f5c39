package org.commvq.model.hf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.commvq.cache.io.SafetensorsFile;
import org.commvq.cache.io.TensorFileException;
import org.commvq.cache.io.TensorInfo;
import org.commvq.model.ModelFormatException;
import org.commvq.model.gguf.GgmlType;
import org.commvq.model.tensor.WeightMatrices;
import org.commvq.model.tensor.WeightMatrix;

/**
 * The tensors of all shards of a checkpoint, by HF name, handed out as weight matrices and norm vectors after a shape
 * check. Matrices stay memory-mapped in their stored type; only the permuted Q and K copies live off-heap in
 * the arena. Everything lives as long as the arena.
 */
final class HfWeights {
    private final Map<String, SafetensorsFile> byName = new HashMap<>();
    private final Arena arena;
    private final Path source;

    HfWeights(HfModelFiles files, Arena arena) {
        this.arena = arena;
        this.source = files.shards().size() == 1 ? files.shards().getFirst() : files.directory();
        for (Path shard : files.shards()) {
            SafetensorsFile st;
            try {
                st = SafetensorsFile.open(shard, arena);
            } catch (TensorFileException e) {
                throw new ModelFormatException(e.file(), e.problem(), e);
            }
            for (String name : st.tensorNames()) {
                SafetensorsFile earlier = byName.putIfAbsent(name, st);
                if (earlier != null) {
                    throw new ModelFormatException(shard, "tensor " + name + " is also in " + earlier.path());
                }
            }
        }
        files.weightMap().forEach((name, shard) -> {
            SafetensorsFile st = byName.get(name);
            if (st == null || !st.path().equals(shard)) {
                throw new ModelFormatException(shard, "does not hold tensor " + name + ", which "
                        + HfModelFiles.INDEX + " places there");
            }
        });
    }

    boolean contains(String name) {
        return byName.containsKey(name);
    }

    /** A {@code [rows, cols]} matrix as stored. */
    WeightMatrix matrix(String name, int rows, int cols) {
        SafetensorsFile st = file(name);
        checkShape(st, name, rows, cols);
        return wrap(st, name, st.data(name), rows, cols);
    }

    /**
     * A Q or K projection with its rows reordered from HF's rotate-half layout, where RoPE pairs dim i with dim
     * i + headDim/2 of a head, to the interleaved layout of the engine, where it pairs 2i with 2i+1: in every head,
     * new row 2i = HF row i and new row 2i+1 = HF row i + headDim/2 (llama.cpp's convert_hf_to_gguf does the same).
     */
    WeightMatrix ropePermuted(String name, int heads, int headDim, int cols) {
        SafetensorsFile st = file(name);
        int rows = heads * headDim;
        checkShape(st, name, rows, cols);
        MemorySegment src = st.data(name);
        long rowBytes = src.byteSize() / rows;
        MemorySegment dst = arena.allocate(src.byteSize(), 64);
        int half = headDim / 2;
        for (int h = 0; h < heads; h++) {
            long base = (long) h * headDim;
            for (int i = 0; i < half; i++) {
                MemorySegment.copy(src, (base + i) * rowBytes, dst, (base + 2L * i) * rowBytes, rowBytes);
                MemorySegment.copy(src, (base + half + i) * rowBytes, dst, (base + 2L * i + 1) * rowBytes, rowBytes);
            }
        }
        return wrap(st, name, dst, rows, cols);
    }

    /** A norm weight of n elements, as floats. */
    float[] vector(String name, int n) {
        SafetensorsFile st = file(name);
        TensorInfo info = st.info(name);
        if (info.rank() != 1 || info.dim(0) != n) {
            throw new ModelFormatException(st.path(), "tensor " + name + " has shape " + Arrays.toString(info.shape())
                    + ", expected [" + n + "] from " + HfModelFiles.CONFIG);
        }
        try {
            return st.floats(name);
        } catch (TensorFileException e) {
            throw new ModelFormatException(e.file(), e.problem(), e);
        }
    }

    private SafetensorsFile file(String name) {
        SafetensorsFile st = byName.get(name);
        if (st == null) {
            throw new ModelFormatException(source, "has no tensor " + name);
        }
        return st;
    }

    private static void checkShape(SafetensorsFile st, String name, int rows, int cols) {
        TensorInfo info = st.info(name);
        if (info.rank() != 2 || info.dim(0) != rows || info.dim(1) != cols) {
            throw new ModelFormatException(st.path(), "tensor " + name + " has shape " + Arrays.toString(info.shape())
                    + ", expected [" + rows + ", " + cols + "] from " + HfModelFiles.CONFIG);
        }
    }

    private static WeightMatrix wrap(SafetensorsFile st, String name, MemorySegment data, int rows, int cols) {
        GgmlType type = switch (st.info(name).dtype()) {
            case F32 -> GgmlType.F32;
            case F16 -> GgmlType.F16;
            case BF16 -> GgmlType.BF16;
            default -> throw new ModelFormatException(st.path(), "tensor " + name + " is " + st.info(name).dtype()
                    + ", expected F32, F16 or BF16");
        };
        return WeightMatrices.create(type, data, rows, cols);
    }
}
