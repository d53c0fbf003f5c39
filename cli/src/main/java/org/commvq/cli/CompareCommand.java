package org.commvq.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.commvq.model.backend.BackendComparison;
import org.commvq.model.backend.ComparisonResult;
import org.commvq.model.backend.CpuBackend;
import org.commvq.model.backend.InferenceSession;
import org.commvq.model.load.LoadedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The same prompt greedily on the CPU and on another device, step by step: how far apart the logits are, whether
 * the greedy choices agree, and how fast each side is. See {@link org.commvq.model.backend.BackendComparison}.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Run a prompt greedily on the CPU and on the GPU: max |logit difference| per step, greedy token"
                + " agreement, prefill and decode tokens/s and the speed-up (Markdown; --json; --out DIR adds a PNG).")
final class CompareCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ModelOptions modelOptions;
    @Mixin
    CacheOptions cacheOptions;
    @Mixin
    DebugOption debugOption;

    @Option(names = {"-p", "--prompt"}, paramLabel = "TEXT", defaultValue = "It is a truth universally acknowledged",
            description = "the prompt (default: ${DEFAULT-VALUE})")
    String prompt;

    @Option(names = {"-n", "--n-predict"}, paramLabel = "N", defaultValue = "32",
            description = "greedy tokens compared (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--device", paramLabel = "DEVICE", defaultValue = "gpu",
            description = "the device compared with the CPU: " + DeviceOptions.DEVICE_HELP
                    + " (default: ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--gpu-weights", paramLabel = "LAYOUT",
            description = "weight layout on the GPU: f32, f16 or q8_0 (default: the file's type where the device has"
                    + " it, else f32)")
    String gpuWeights;

    @Option(names = "--gpu-memory", paramLabel = "SIZE", description = DeviceOptions.GPU_MEMORY_HELP)
    String gpuMemory;

    @Option(names = "--peak-bandwidth", paramLabel = "GB/s", defaultValue = "3350",
            description = "the device's memory bandwidth, for the decode-speed bound (default: ${DEFAULT-VALUE},"
                    + " an H100 SXM)")
    double peakBandwidth;

    @Option(names = "--json", description = "print JSON instead of Markdown")
    boolean json;

    @Option(names = "--out", paramLabel = "DIR",
            description = "also write compare.json, compare.md and compare.png (step differences, speeds) there")
    Path outDir;

    @Override
    public Integer call() throws Exception {
        if (steps < 1 || peakBandwidth <= 0) {
            throw new IllegalArgumentException("-n/--n-predict must be >= 1 and --peak-bandwidth > 0");
        }
        PrintWriter out = spec.commandLine().getOut();
        DeviceOptions.Selected candidate = DeviceOptions.resolve(device);
        DeviceOptions.Selected reference = DeviceOptions.resolve(CpuBackend.NAME);
        try (LoadedModel model = modelOptions.load()) {
            int[] ids = model.tokenizer().encode(prompt, true);
            int ctx = cacheOptions.ctxSize != null ? cacheOptions.contextSize(model) : ids.length + steps;
            ComparisonResult result;
            try (InferenceSession cpu = reference.open(model, cacheOptions, ctx, null, 0);
                 InferenceSession other = candidate.open(model, cacheOptions, ctx, gpuWeights,
                         DeviceOptions.parseGpuMemory(gpuMemory))) {
                result = BackendComparison.run(cpu, other, ids, steps);
            }
            CompareReport report = new CompareReport(model, prompt, result, peakBandwidth * 1e9);
            out.print(json ? report.json() : report.markdown());
            out.flush();
            if (outDir != null) {
                report.write(outDir);
                spec.commandLine().getErr().println("wrote " + outDir.resolve("compare.json") + ", compare.md and"
                        + " compare.png");
            }
        }
        return 0;
    }
}
