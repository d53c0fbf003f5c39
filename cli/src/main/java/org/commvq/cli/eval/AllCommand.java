package org.commvq.cli.eval;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.commvq.cache.KvCache;
import org.commvq.cache.KvCacheFactory;
import org.commvq.cache.ModelShape;
import org.commvq.cli.DebugOption;
import org.commvq.cli.ModelOptions;
import org.commvq.cli.eval.report.Formats;
import org.commvq.cli.eval.report.ReportTables;
import org.commvq.cli.eval.report.ReportWriter;
import org.commvq.cli.eval.report.SuiteReport;
import org.commvq.model.eval.CachedModel;
import org.commvq.model.eval.Haystack;
import org.commvq.model.eval.MemoryBudget;
import org.commvq.model.eval.NeedleTask;
import org.commvq.model.eval.PerplexityEvaluator;
import org.commvq.model.eval.PerplexityResult;
import org.commvq.model.eval.RetrievalGrid;
import org.commvq.model.eval.RetrievalTest;
import org.commvq.model.eval.TextCodec;
import org.commvq.model.eval.TokenBytes;
import org.commvq.model.load.LoadedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "all", mixinStandardHelpOptions = true,
        description = {"Run the whole suite over the KV cache types and write report.json, report.md and PNG plots.",
                "Perplexity, pass-key retrieval, needle in a haystack (when the essays are found) and the memory"
                        + " projection, with the same prompts for every type. Types that need a codebook run only"
                        + " when --codebook-dir holds <type>.safetensors; the others are skipped with the reason."})
final class AllCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ModelOptions modelOptions;
    @Mixin
    TextOptions textOptions;
    @Mixin
    HaystackOptions haystackOptions;
    @Mixin
    NiahOptions niahOptions;
    @Mixin
    CodebookDirOption codebooks;
    @Mixin
    MemoryOptions memoryOptions;
    @Mixin
    DebugOption debugOption;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", required = true, description = "where the report goes")
    Path output;

    @Option(names = "--quick", description = "short settings: ctx 512 over 2048 tokens, lengths 512 and 1024, 3 depths,"
            + " 2 trials (default: ctx 2048 over the whole text, lengths up to 2048, 5 depths, 10 and 5 trials)")
    boolean quick;

    @Option(names = "--types", paramLabel = "T,...", split = ",",
            description = "cache types to run (default: every type: ${COMPLETION-CANDIDATES})",
            completionCandidates = CacheTypeNames.class)
    List<String> types;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1234",
            description = "seed of the needles and haystack offsets (default: ${DEFAULT-VALUE})")
    long seed;

    /** The text and prompts every cache type is measured on, built once so all types see the same ones. */
    private record Workload(SuitePreset preset, int[] text, RetrievalTest passkey, RetrievalTest niah) {
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<String> chosen = chosenTypes();
        MemoryBudget budget = memoryOptions.budget();
        LabelledText text = textOptions.load();
        LabelledText hay = haystackOptions.load();
        Optional<Path> essays = niahOptions.essaysIfAny();
        if (essays.isEmpty()) {
            err.println("needle in a haystack skipped: no essays (--essays FILE; default "
                    + SharedFiles.corporaDir().resolve(SharedFiles.PAUL_GRAHAM) + ")");
        }
        try (LoadedModel model = modelOptions.load()) {
            ModelShape shape = model.shape();
            Workload work = workload(model, text, hay, essays);
            List<SuiteReport.CacheEntry> entries = new ArrayList<>();
            List<SuiteReport.Skipped> skipped = new ArrayList<>();
            for (String type : chosen) {
                Optional<KvCache> cache = createOrSkip(type, model, work.preset().capacity(), skipped, err);
                if (cache.isPresent()) {
                    SuiteReport.CacheEntry e = measure(type, new CachedModel(model.forward(), cache.get()), model,
                            work, err);
                    out.printf("%-8s ppl %s  passkey %s%s%n", type, Formats.fixed(e.perplexity().perplexity(), 3),
                            Formats.fixed(e.passkey().mean(), 2),
                            e.niah() == null ? "" : "  niah " + Formats.fixed(e.niah().mean(), 2));
                    entries.add(e);
                }
            }
            SuitePreset p = work.preset();
            SuiteReport report = new SuiteReport(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                    new SuiteReport.ModelInfo(model.source().toString(), model.name(), model.weightType(),
                            model.weights().parameterCount(), shape.layers(), shape.kvHeads(), shape.headDim(),
                            shape.contextLength()),
                    new SuiteReport.Settings(quick, text.label(), p.ctx(), p.stride(), p.chunk(), work.text().length,
                            hay.label(), essays.map(f -> f.getFileName().toString()).orElse(null), p.lengths(),
                            p.depths(), p.passkeyTrials(), p.niahTrials(), seed,
                            codebooks.dir == null ? null : codebooks.dir.toString()),
                    entries, skipped, SuiteReport.MemoryReport.of(memoryOptions.shape, budget, p.memoryContexts(),
                            KvCacheFactory.types(), codebooks::bytes));
            if (!entries.isEmpty()) {
                out.print(ReportTables.perplexity(entries).text());
            }
            for (Path f : ReportWriter.write(output, report)) {
                out.println("wrote " + f);
            }
        }
        return 0;
    }

    private List<String> chosenTypes() {
        List<String> chosen = types != null ? types : KvCacheFactory.types();
        for (String t : chosen) {
            if (!KvCacheFactory.types().contains(t)) {
                throw new IllegalArgumentException("--types: '" + t + "' is not one of " + KvCacheFactory.types());
            }
        }
        return chosen;
    }

    private Workload workload(LoadedModel model, LabelledText text, LabelledText hay,
                              Optional<Path> essays) {
        SuitePreset preset = (quick ? SuitePreset.QUICK : SuitePreset.FULL).fitTo(model.shape().contextLength());
        TextCodec codec = TextCodec.of(model.tokenizer());
        int[] ids = codec.encode(text.content());
        if (preset.maxTokens() > 0 && ids.length > preset.maxTokens()) {
            ids = Arrays.copyOf(ids, preset.maxTokens());
        }
        RetrievalTest passkey = RetrievalTest.build(NeedleTask.passKey(), Haystack.of(hay.content(), codec), codec,
                preset.lengths(), preset.depths(), preset.passkeyTrials(), seed);
        RetrievalTest niah = essays.map(p -> RetrievalTest.build(niahOptions.task(),
                Haystack.of(SharedFiles.read(p, "--essays"), codec), codec, preset.lengths(), preset.depths(),
                preset.niahTrials(), seed)).orElse(null);
        return new Workload(preset, ids, passkey, niah);
    }

    /** The type's cache, or empty with the reason recorded when it cannot be made (no codebook, most often). */
    private Optional<KvCache> createOrSkip(String type, LoadedModel model, int capacity,
                                           List<SuiteReport.Skipped> skipped, PrintWriter err) {
        Path codebook = codebooks.codebook(type);
        try {
            return Optional.of(KvCacheFactory.create(type, model.shape(), capacity, codebook, model.vocabHash()));
        } catch (RuntimeException e) {
            String reason = e.getMessage() + (codebook != null ? "" : codebooks.dir == null
                    ? "; give --codebook-dir DIR holding " + type + ".safetensors"
                    : "; " + codebooks.dir.resolve(type + ".safetensors") + " does not exist");
            skipped.add(new SuiteReport.Skipped(type, reason));
            err.println("skipping " + type + ": " + reason);
            return Optional.empty();
        }
    }

    private static SuiteReport.CacheEntry measure(String type, CachedModel cached, LoadedModel model, Workload work,
                                                  PrintWriter err) {
        SuitePreset p = work.preset();
        TextCodec codec = TextCodec.of(model.tokenizer());
        PerplexityResult r;
        try (ProgressBar bar = new ProgressBar(err, "ppl     " + type, work.text().length)) {
            r = new PerplexityEvaluator(p.ctx(), p.stride(), p.chunk()).run(work.text(), codec.bos(), cached,
                    TokenBytes.of(model.tokenizer()), bar);
        }
        RetrievalGrid passkey = Retrievals.run(err, "passkey " + type, work.passkey(), cached, codec);
        RetrievalGrid niah = work.niah() == null ? null
                : Retrievals.run(err, "niah    " + type, work.niah(), cached, codec);
        double bytes = KvCacheFactory.bytesPerToken(cached.cache(), model.shape());
        return new SuiteReport.CacheEntry(type, MemoryBudget.bitsPerValue(bytes, model.shape()), bytes,
                SuiteReport.PerplexityEntry.of(r), passkey, niah);
    }

    /** The names picocli lists in --help. */
    static final class CacheTypeNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return KvCacheFactory.types().iterator();
        }
    }
}
