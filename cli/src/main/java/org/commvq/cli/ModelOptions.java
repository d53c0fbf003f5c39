package org.commvq.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.commvq.cache.Workers;
import org.commvq.model.load.LoadedModel;
import org.commvq.model.load.ModelLoader;
import picocli.CommandLine.Option;

/** -m/--model and --threads, shared by every command that runs a model. */
public final class ModelOptions {
    /** The model shipped in the repository, used when -m is not given. */
    public static final String SHIPPED_MODEL = "models/tiny-llama-29m-q8_0.gguf";

    @Option(names = {"-m", "--model"}, paramLabel = "PATH",
            description = "GGUF file or Hugging Face model directory (default: the shipped " + SHIPPED_MODEL + ")")
    Path model;

    @Option(names = "--threads", paramLabel = "N", description = "CPU threads (default: all cores)")
    Integer threads;

    public LoadedModel load() {
        if (threads != null) {
            Workers.setThreads(threads);
        }
        return ModelLoader.load(model != null ? model : shippedModel());
    }

    /** The shipped model, found from the install folder the launcher names, or the working directory. */
    static Path shippedModel() {
        String home = System.getProperty("commvq.home");
        Path p = home != null ? Path.of(home).resolve(SHIPPED_MODEL) : Path.of(SHIPPED_MODEL);
        if (!Files.exists(p)) {
            throw new IllegalArgumentException("the default model " + p + " is missing; pass -m/--model PATH");
        }
        return p;
    }
}
