package org.commvq.cache.codebook.pt;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.commvq.cache.codebook.CodebookException;
import org.commvq.cache.io.SafetensorsFile;
import org.commvq.cache.io.TensorFileException;

/**
 * A checkpoint given as one safetensors file or a folder of shards (model-0000N-of-0000M.safetensors): every shard
 * mapped, each tensor name resolved to its shard.
 */
final class SafetensorsShards implements AutoCloseable {
    private final Path where;
    private final List<SafetensorsFile> files = new ArrayList<>();
    private final Map<String, SafetensorsFile> byName = new HashMap<>();

    SafetensorsShards(Path checkpoint) {
        this.where = checkpoint;
        List<Path> paths;
        if (Files.isDirectory(checkpoint)) {
            try (Stream<Path> list = Files.list(checkpoint)) {
                paths = list.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
            } catch (IOException e) {
                throw new CodebookException(checkpoint, "cannot list folder (" + e + ")", e);
            }
            if (paths.isEmpty()) {
                throw new CodebookException(checkpoint, "no .safetensors files in the folder");
            }
        } else {
            paths = List.of(checkpoint);
        }
        try {
            for (Path p : paths) {
                SafetensorsFile f = SafetensorsFile.open(p);
                files.add(f);
                for (String name : f.tensorNames()) {
                    byName.putIfAbsent(name, f);
                }
            }
        } catch (TensorFileException e) {
            close();
            throw new CodebookException(e.file(), e.problem(), e);
        }
    }

    /** The tensor's values, checked against the expected shape. */
    float[] floats(String name, long... shape) {
        SafetensorsFile f = byName.get(name);
        if (f == null) {
            throw new CodebookException(where, "no tensor '" + name + "'");
        }
        long[] actual = f.info(name).shape();
        if (!Arrays.equals(actual, shape)) {
            throw new CodebookException(f.path(), "tensor '" + name + "' has shape " + Arrays.toString(actual)
                    + ", expected " + Arrays.toString(shape));
        }
        try {
            return f.floats(name);
        } catch (TensorFileException e) {
            throw new CodebookException(e.file(), e.problem(), e);
        }
    }

    /** The tensor's shape, or null when no shard has it. */
    long[] shape(String name) {
        SafetensorsFile f = byName.get(name);
        return f == null ? null : f.info(name).shape();
    }

    @Override
    public void close() {
        for (SafetensorsFile f : files) {
            f.close();
        }
    }
}
