package org.commvq.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.commvq.cache.Workers;
import org.commvq.cache.train.CommVqTraining;
import org.commvq.cache.train.KvCollection;
import org.commvq.cache.train.KvManifest;
import org.commvq.cache.train.Progress;
import org.commvq.cache.train.ValueTrainer;
import org.commvq.cache.train.VqkvTraining;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "train-codebook", mixinStandardHelpOptions = true,
        description = "Train CommVQ or VQKV codebooks from a collect-kv folder. Each finished layer is checkpointed"
                + " beside the output; rerunning with the same arguments resumes after the last finished layer.")
final class TrainCodebookCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    DebugOption debugOption;

    @Option(names = "--method", paramLabel = "METHOD", required = true, description = "commvq or vqkv")
    String method;

    @Option(names = "--bits", paramLabel = "B", description = "CommVQ: 1 or 2 (value bits per channel; keys get"
            + " 11 or 21 stages)")
    Integer bits;

    @Option(names = "--kv", paramLabel = "DIR", required = true, description = "a folder written by collect-kv")
    Path kv;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true, description = "the codebook file")
    Path output;

    @Option(names = "--training-method", paramLabel = "M", defaultValue = "em",
            description = "CommVQ keys: em (spec's EM with commutative centers) or e2e (Adam on θ) (default:"
                    + " ${DEFAULT-VALUE})")
    String trainingMethod;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "(default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--iterations", paramLabel = "N",
            description = "CommVQ em: most EM iterations per stage (default 100); e2e: epochs (default 100); vqkv:"
                    + " most Lloyd steps per stage (default 20)")
    Integer iterations;

    @Option(names = "--tokens", paramLabel = "N", description = "tokens per layer to train on, the collection's"
            + " first ones (default: all); for CommVQ, the keys' count")
    Long tokens;

    @Option(names = "--value-tokens", paramLabel = "N", description = "CommVQ: tokens per layer the value compressor"
            + " trains on (default: as --tokens)")
    Long valueTokens;

    @Option(names = "--keys-from", paramLabel = "FILE", description = "CommVQ: take the first R key stages of this"
            + " codebook instead of training keys; it must have been trained on the same collection with the same"
            + " key settings (e.g. a 1-bit codebook from the 2-bit one: greedy stage-wise EM makes them equal)")
    Path keysFrom;

    @Option(names = "--stages", paramLabel = "R", description = "CommVQ key stages (default: 11 for 1 bit, 21 for 2)")
    Integer stages;

    @Option(names = "--init-tokens", paramLabel = "N", defaultValue = "1024",
            description = "CommVQ em: tokens the τ=1 init E-step of each stage looks at (default: ${DEFAULT-VALUE})")
    int initTokens;

    @Option(names = "--e2e-lr", paramLabel = "LR", defaultValue = "1e-3", description = "(default: ${DEFAULT-VALUE})")
    double e2eLearningRate;

    @Option(names = "--e2e-batch", paramLabel = "N", defaultValue = "1024", description = "(default: ${DEFAULT-VALUE})")
    int e2eBatch;

    @Option(names = "--value-hidden", paramLabel = "I",
            description = "CommVQ value encoder hidden width (default: the official min(4096, 4·n_e), i.e. 2·F·bits)")
    Integer valueHidden;

    @Option(names = "--value-epochs", paramLabel = "N", defaultValue = "8", description = "(default: ${DEFAULT-VALUE})")
    int valueEpochs;

    @Option(names = "--value-batch", paramLabel = "N", defaultValue = "512", description = "(default: ${DEFAULT-VALUE})")
    int valueBatch;

    @Option(names = "--value-lr", paramLabel = "LR", defaultValue = "1e-3", description = "(default: ${DEFAULT-VALUE})")
    double valueLearningRate;

    @Option(names = "--value-loss", paramLabel = "LOSS",
            description = "CommVQ value loss: attention (spec §1.6: 0.5·MSE(v̂, v) + MSE of the layer's attention"
                    + " output through W_o, per window; needs a collection with queries) or mse (0.5·MSE(v̂, v)"
                    + " only) (default: attention when the collection has queries, else mse)")
    String valueLoss;

    @Option(names = "--value-window", paramLabel = "N",
            description = "CommVQ attention loss: tokens per attention window, cut from one collected sequence;"
                    + " each step trains on max(1, --value-batch / N) windows (default: the collection's --seq-len,"
                    + " the exact teacher-forced attention)")
    Integer valueWindow;

    @Option(names = "--vqkv-keys", paramLabel = "SPEC", defaultValue = "56x1024",
            description = "VQKV key stages as COUNTxSIZE[,COUNTxSIZE...] (default: the published ${DEFAULT-VALUE})")
    String vqkvKeys;

    @Option(names = "--vqkv-values", paramLabel = "SPEC", defaultValue = "16x512",
            description = "VQKV value stages (default: the published ${DEFAULT-VALUE})")
    String vqkvValues;

    @Option(names = "--threads", paramLabel = "N", description = "CPU threads (default: all cores)")
    Integer threads;

    @Override
    public Integer call() throws IOException {
        if (threads != null) {
            Workers.setThreads(threads);
        }
        KvCollection collection = KvCollection.open(kv);
        KvManifest m = collection.manifest();
        long maxTokens = tokens != null ? tokens : m.tokens();
        if (maxTokens < 1) {
            throw new IllegalArgumentException("--tokens must be at least 1, got " + maxTokens);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long start = System.nanoTime();
        switch (method.toLowerCase(Locale.ROOT)) {
            case "commvq" -> trainCommVq(collection, maxTokens, err);
            case "vqkv" -> trainVqkv(collection, maxTokens, err);
            default -> throw new IllegalArgumentException("--method '" + method + "' is not one of commvq, vqkv");
        }
        out.printf(Locale.ROOT, "wrote %s (%s) in %.1f s%n", output, Bytes.format(Files.size(output)),
                (System.nanoTime() - start) / 1e9);
        return 0;
    }

    private void trainCommVq(KvCollection collection, long maxTokens, PrintWriter err) {
        if (bits == null || (bits != 1 && bits != 2)) {
            throw new IllegalArgumentException("--method commvq needs --bits 1 or 2");
        }
        CommVqTraining.KeyMethod keyMethod = switch (trainingMethod.toLowerCase(Locale.ROOT)) {
            case "em" -> CommVqTraining.KeyMethod.EM;
            case "e2e" -> CommVqTraining.KeyMethod.E2E;
            default -> throw new IllegalArgumentException("--training-method '" + trainingMethod
                    + "' is not one of em, e2e");
        };
        KvManifest m = collection.manifest();
        int r = stages != null ? stages : bits == 1 ? 11 : 21;
        int hidden = valueHidden != null ? valueHidden : ValueTrainer.Settings.officialHidden(m.kvDim(), bits);
        ValueTrainer.Settings values = new ValueTrainer.Settings(bits, hidden, valueEpochs, valueBatch,
                valueLearningRate, 0.1, seed, valueLoss(m, err), valueWindow != null ? valueWindow : m.seqLen());
        long vTokens = valueTokens != null ? valueTokens : maxTokens;
        CommVqTraining.Settings s = new CommVqTraining.Settings(r, keyMethod, iterations != null ? iterations : 100,
                initTokens, e2eLearningRate, e2eBatch, maxTokens, values, vTokens, seed, keysFrom);
        int keyUnits = m.kvHeads() * (keyMethod == CommVqTraining.KeyMethod.EM ? r : s.keyIterations());
        long total = (long) m.layers() * (keyUnits + valueEpochs);
        try (Progress progress = new Progress(err, "train commvq" + bits, total)) {
            CommVqTraining.train(collection, s, output, progress, report -> { });
        }
    }

    private ValueTrainer.Loss valueLoss(KvManifest m, PrintWriter err) {
        if (valueLoss == null) {
            if (!m.queries()) {
                err.println("note: " + kv + " has no queries (an older collect-kv), so values train with"
                        + " --value-loss mse; collect again for the attention-output loss");
            }
            return m.queries() ? ValueTrainer.Loss.ATTENTION : ValueTrainer.Loss.MSE;
        }
        return switch (valueLoss.toLowerCase(Locale.ROOT)) {
            case "mse" -> ValueTrainer.Loss.MSE;
            case "attention" -> ValueTrainer.Loss.ATTENTION;
            default -> throw new IllegalArgumentException("--value-loss '" + valueLoss
                    + "' is not one of attention, mse");
        };
    }

    private void trainVqkv(KvCollection collection, long maxTokens, PrintWriter err) {
        VqkvTraining.Settings s = new VqkvTraining.Settings(stageSizes("--vqkv-keys", vqkvKeys),
                stageSizes("--vqkv-values", vqkvValues), iterations != null ? iterations : 20, seed, maxTokens);
        try (Progress progress = new Progress(err, "train vqkv", 2L * collection.manifest().layers())) {
            VqkvTraining.train(collection, s, output, progress, report -> { });
        }
    }

    /** "56x1024" or "8x256,8x64": stage sizes in order. */
    static int[] stageSizes(String flag, String spec) {
        List<Integer> sizes = new ArrayList<>();
        for (String part : spec.split(",")) {
            String[] f = part.trim().toLowerCase(Locale.ROOT).split("x");
            try {
                if (f.length != 2) {
                    throw new NumberFormatException();
                }
                int count = Integer.parseInt(f[0]);
                int size = Integer.parseInt(f[1]);
                if (count < 1 || size < 1) {
                    throw new NumberFormatException();
                }
                for (int i = 0; i < count; i++) {
                    sizes.add(size);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + " '" + spec + "' is not COUNTxSIZE[,COUNTxSIZE...], e.g."
                        + " 64x16");
            }
        }
        return sizes.stream().mapToInt(Integer::intValue).toArray();
    }
}
