package org.commvq.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import org.commvq.cache.KvCacheFactory;
import org.commvq.cache.ModelShape;
import org.commvq.model.load.LoadedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Print a model's metadata, parameter count, weight bytes and KV-cache bytes per token.")
final class InfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ModelOptions modelOptions;
    @Mixin
    DebugOption debugOption;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (LoadedModel m = modelOptions.load()) {
            ModelShape s = m.shape();
            out.printf("model:        %s%n", m.source());
            out.printf("name:         %s%n", m.name());
            out.printf("format:       %s, weights %s%n", m.format(), m.weightType());
            out.printf("shape:        %d layers, dim %d, %d heads / %d KV heads, head_dim %d, ffn %d, vocab %d%n",
                    s.layers(), s.dim(), s.heads(), s.kvHeads(), s.headDim(), s.ffnDim(), s.vocab());
            out.printf("context:      %d tokens, rope theta %.0f%s, rms eps %.1e%n", s.contextLength(),
                    s.rope().theta(), s.rope().scaled() ? String.format(", llama3 scaling x%.0f", s.rope().factor())
                            : "", s.rmsEps());
            out.printf("parameters:   %,d%n", m.weights().parameterCount());
            out.printf("weight bytes: %,d (%s)%n", m.weights().byteSize(), Bytes.format(m.weights().byteSize()));
            out.printf("vocab sha256: %s%n", m.vocabHash());
            out.println("KV cache bytes per token (all layers, K+V):");
            double fp16 = KvCacheFactory.bytesPerToken("fp16", s);
            for (String type : KvCacheFactory.types()) {
                double b = KvCacheFactory.bytesPerToken(type, s);
                out.printf("  %-8s %,12.1f B  (%6.2f%% of fp16, %s at full context)%n", type, b, 100.0 * b / fp16,
                        Bytes.format((long) (b * s.contextLength())));
            }
            out.println("metadata:");
            for (Map.Entry<String, String> e : m.metadata().entrySet()) {
                out.printf("  %s = %s%n", e.getKey(), e.getValue());
            }
        }
        return 0;
    }
}
