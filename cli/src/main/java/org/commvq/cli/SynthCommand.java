package org.commvq.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.commvq.cache.ModelShape;
import org.commvq.model.ShapePresets;
import org.commvq.model.gguf.GgmlType;
import org.commvq.model.synth.SyntheticModelWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "synth", mixinStandardHelpOptions = true,
        description = "Write a GGUF of a LLaMA shape with seeded random weights of realistic scale (for speed tests).")
final class SynthCommand implements Callable<Integer> {
    /**
     * Eight times the deepest LLaMA (3.1 405B has 126 layers). The writer lists every layer's tensors before it writes
     * one, so a count without bound (a mistyped 2000000000) would run the heap out rather than fail in a line.
     */
    private static final int MAX_LAYERS = 1024;

    @Spec
    CommandSpec spec;
    @Mixin
    DebugOption debugOption;

    @Option(names = "--shape", paramLabel = "NAME", required = true,
            description = "tiny-llama-29m, llama-3.2-1b, llama-3.2-3b or llama-3.1-8b")
    String shape;

    @Option(names = "--type", paramLabel = "TYPE", defaultValue = "q8_0",
            description = "matrix type: f32, f16, bf16, q8_0, q4_0 (default: ${DEFAULT-VALUE})")
    String type;

    @Option(names = "--layers", paramLabel = "N", description = "override the number of layers (a shallower model of the same width)")
    Integer layers;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "weight seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true, description = "the GGUF file to write")
    Path output;

    @Override
    public Integer call() throws Exception {
        ModelShape s = ShapePresets.get(shape);
        if (layers != null) {
            if (layers < 1 || layers > MAX_LAYERS) {
                throw new IllegalArgumentException("--layers must be between 1 and " + MAX_LAYERS + ", got " + layers);
            }
            s = new ModelShape(layers, s.dim(), s.heads(), s.kvHeads(), s.headDim(), s.ffnDim(), s.vocab(),
                    s.contextLength(), s.rmsEps(), s.rope());
        }
        GgmlType t = switch (type.toLowerCase(Locale.ROOT)) {
            case "f32" -> GgmlType.F32;
            case "f16" -> GgmlType.F16;
            case "bf16" -> GgmlType.BF16;
            case "q8_0" -> GgmlType.Q8_0;
            case "q4_0" -> GgmlType.Q4_0;
            default -> throw new IllegalArgumentException("--type '" + type + "' is not one of f32, f16, bf16, q8_0, q4_0");
        };
        long start = System.nanoTime();
        SyntheticModelWriter.write(s, "synthetic " + shape + (layers != null ? " (" + layers + " layers)" : ""), t,
                seed, output);
        spec.commandLine().getOut().printf("wrote %s (%s, %s, %s) in %.1f s%n", output, shape, t,
                Bytes.format(java.nio.file.Files.size(output)), (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
