package org.commvq.model.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.commvq.model.ModelFormatException;

/**
 * The files of an HF model directory: {@code config.json}, {@code tokenizer.json} and the weights, either one
 * {@code model.safetensors} or shards {@code model-0000i-of-0000n.safetensors} listed by
 * {@code model.safetensors.index.json}. Every file the weights need is checked to exist here, so a partial download
 * fails with the name of what is missing instead of halfway through loading.
 */
public final class HfModelFiles {
    public static final String CONFIG = "config.json";
    public static final String TOKENIZER = "tokenizer.json";
    public static final String SINGLE = "model.safetensors";
    public static final String INDEX = "model.safetensors.index.json";

    private static final Pattern SHARD = Pattern.compile("model-(\\d+)-of-(\\d+)\\.safetensors");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path directory;
    private final List<Path> shards;
    private final Map<String, Path> weightMap;

    private HfModelFiles(Path directory, List<Path> shards, Map<String, Path> weightMap) {
        this.directory = directory;
        this.shards = List.copyOf(shards);
        this.weightMap = Collections.unmodifiableMap(weightMap);
    }

    public static HfModelFiles locate(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new ModelFormatException(directory, "is not a directory (expected an HF model directory with "
                    + CONFIG + " and safetensors weights)");
        }
        Path config = directory.resolve(CONFIG);
        if (!Files.isRegularFile(config)) {
            throw new ModelFormatException(config, "is missing; an HF model directory needs it");
        }
        if (Files.isRegularFile(directory.resolve(SINGLE))) {
            return new HfModelFiles(directory, List.of(directory.resolve(SINGLE)), Map.of());
        }
        Path index = directory.resolve(INDEX);
        if (Files.isRegularFile(index)) {
            return fromIndex(directory, index);
        }
        return fromShardNames(directory);
    }

    private static HfModelFiles fromIndex(Path directory, Path index) {
        JsonNode weightMap;
        try {
            weightMap = JSON.readTree(index.toFile()).path("weight_map");
        } catch (IOException e) {
            throw new ModelFormatException(index, "cannot read index JSON (" + e.getMessage().lines().findFirst()
                    .orElse("") + ")", e);
        }
        if (!weightMap.isObject() || weightMap.isEmpty()) {
            throw new ModelFormatException(index, "has no \"weight_map\" object of tensor name to shard file");
        }
        Map<String, Path> map = new LinkedHashMap<>();
        TreeSet<String> shardNames = new TreeSet<>();
        for (Map.Entry<String, JsonNode> e : weightMap.properties()) {
            String shard = e.getValue().asText("");
            if (!e.getValue().isTextual() || shard.isEmpty() || shard.contains("/") || shard.contains("\\")) {
                throw new ModelFormatException(index, "weight_map[\"" + e.getKey() + "\"] must be a file name in "
                        + "the same directory, got " + e.getValue());
            }
            shardNames.add(shard);
            map.put(e.getKey(), directory.resolve(shard));
        }
        List<String> missing = shardNames.stream().filter(s -> !Files.isRegularFile(directory.resolve(s))).toList();
        if (!missing.isEmpty()) {
            throw new ModelFormatException(index, "lists " + shardNames.size() + " shards but " + missing.size()
                    + " are missing from " + directory + ": " + String.join(", ", missing));
        }
        return new HfModelFiles(directory, shardNames.stream().map(directory::resolve).toList(), map);
    }

    /** Shards without an index: all of 1..n must be there, and then each shard's header says what it holds. */
    private static HfModelFiles fromShardNames(Path directory) {
        List<Path> found;
        try (Stream<Path> files = Files.list(directory)) {
            found = files.filter(p -> SHARD.matcher(p.getFileName().toString()).matches()).sorted().toList();
        } catch (IOException e) {
            throw new ModelFormatException(directory, "cannot list the directory (" + e + ")", e);
        }
        if (found.isEmpty()) {
            String bin = Files.exists(directory.resolve("pytorch_model.bin"))
                    ? " (it has pytorch_model.bin; only safetensors weights can be read)" : "";
            throw new ModelFormatException(directory, "has no " + SINGLE + ", " + INDEX + " or model-*-of-*.safetensors"
                    + bin);
        }
        Matcher first = SHARD.matcher(found.getFirst().getFileName().toString());
        first.matches();
        int total = Integer.parseInt(first.group(2));
        int width = first.group(1).length();
        List<Path> shards = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (int i = 1; i <= total; i++) {
            String name = String.format("model-%0" + width + "d-of-%s.safetensors", i, first.group(2));
            Path p = directory.resolve(name);
            if (Files.isRegularFile(p)) {
                shards.add(p);
            } else {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            throw new ModelFormatException(directory, "has no " + INDEX + " and " + missing.size() + " of " + total
                    + " shards are missing: " + String.join(", ", missing));
        }
        return new HfModelFiles(directory, shards, Map.of());
    }

    public Path directory() {
        return directory;
    }

    public Path config() {
        return directory.resolve(CONFIG);
    }

    /** {@code tokenizer.json}; refused with its name when the directory lacks it. */
    public Path tokenizerJson() {
        Path t = directory.resolve(TOKENIZER);
        if (!Files.isRegularFile(t)) {
            throw new ModelFormatException(t, "is missing; the tokenizer is read from it");
        }
        return t;
    }

    /** The weight files, in shard order. */
    public List<Path> shards() {
        return shards;
    }

    /** Tensor name to shard, from the index; empty when there is no index. */
    public Map<String, Path> weightMap() {
        return weightMap;
    }
}
