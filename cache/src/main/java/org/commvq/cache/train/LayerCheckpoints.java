package org.commvq.cache.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.commvq.cache.io.SafetensorsFile;
import org.commvq.cache.io.SafetensorsWriter;
import org.commvq.cache.io.TensorFileException;

/**
 * One file per finished layer in {@code <output>.parts/}, so an interrupted training run resumes after the last
 * layer it finished. Each file carries the run's settings (as a canonical string) and is used only by a run with the
 * same settings; files are written atomically, so one that exists is whole.
 */
final class LayerCheckpoints {
    private static final String SETTINGS = "settings";
    private static final String REPORT = "report";

    private final Path dir;
    private final String settings;

    LayerCheckpoints(Path output, String settings) {
        this.dir = output.resolveSibling(output.getFileName() + ".parts");
        this.settings = settings;
    }

    /** A finished layer: its float tensors (exact, F32) and its report line. */
    record Layer(Map<String, float[]> tensors, Map<String, long[]> shapes, String report) {
    }

    Optional<Layer> load(int layer) {
        Path file = file(layer);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            if (!settings.equals(st.metadata().get(SETTINGS))) {
                return Optional.empty();
            }
            Map<String, float[]> tensors = new LinkedHashMap<>();
            Map<String, long[]> shapes = new LinkedHashMap<>();
            for (String name : st.tensorNames()) {
                tensors.put(name, st.floats(name));
                shapes.put(name, st.info(name).shape());
            }
            return Optional.of(new Layer(tensors, shapes, st.metadata().getOrDefault(REPORT, "")));
        } catch (TensorFileException e) {
            return Optional.empty();
        }
    }

    void save(int layer, Map<String, float[]> tensors, Map<String, long[]> shapes, String report) {
        SafetensorsWriter w = new SafetensorsWriter().metadata(SETTINGS, settings).metadata(REPORT, report);
        tensors.forEach((name, data) -> w.f32(name, data, shapes.get(name)));
        w.write(file(layer));
    }

    /** Removes the folder once the final file is written. */
    void delete() {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot remove the layer checkpoints (" + e.getMessage() + ")", e);
        }
    }

    private Path file(int layer) {
        return dir.resolve(String.format(Locale.ROOT, "layer-%03d.safetensors", layer));
    }
}
