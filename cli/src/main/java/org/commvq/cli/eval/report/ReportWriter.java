package org.commvq.cli.eval.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.commvq.model.eval.RetrievalGrid;

/** Writes the evaluation's files: report.json, report.md and the PNG plots, all from a {@link SuiteReport}. */
public final class ReportWriter {
    public static final String JSON = "report.json";
    public static final String MARKDOWN = "report.md";
    public static final String PPL_PNG = "ppl_vs_bits.png";
    public static final String PASSKEY_PNG = "passkey.png";
    public static final String NIAH_PNG = "niah.png";
    public static final String MEMORY_PNG = "memory_per_token.png";
    public static final String CONTEXT_PNG = "max_context.png";

    private ReportWriter() {
    }

    /** @return the files written */
    public static List<Path> write(Path dir, SuiteReport r) {
        List<Path> files = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            Path json = dir.resolve(JSON);
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), r);
            files.add(json);
            if (!r.caches().isEmpty()) {
                files.add(pplChart(dir.resolve(PPL_PNG), r));
                files.add(retrievalBars(dir.resolve(PASSKEY_PNG), "Pass-key retrieval accuracy", r.caches(),
                        SuiteReport.CacheEntry::passkey));
                if (r.caches().getFirst().niah() != null) {
                    files.add(retrievalBars(dir.resolve(NIAH_PNG), "Needle-in-a-haystack accuracy (Paul Graham"
                            + " essays)", r.caches(), SuiteReport.CacheEntry::niah));
                    for (SuiteReport.CacheEntry e : r.caches()) {
                        files.add(niahHeatmap(dir.resolve(heatmapName(e.type())), e.type(), e.niah()));
                    }
                }
            }
            files.add(memoryPerToken(dir.resolve(MEMORY_PNG), r.memory()));
            files.add(maxContextChart(dir.resolve(CONTEXT_PNG), r.memory()));
            Path md = dir.resolve(MARKDOWN);
            Files.writeString(md, MarkdownReport.of(r), StandardCharsets.UTF_8);
            files.add(md);
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot write the report: " + e.getMessage(), e);
        }
        return files;
    }

    public static String heatmapName(String type) {
        return "niah_" + type + ".png";
    }

    public static Path niahHeatmap(Path png, String type, RetrievalGrid g) {
        Charts.heatmap(png, "Needle in a haystack: kv cache " + type, g.trials() + " trials per cell, score ="
                + " fraction of answers that contain the fact", g.lengths(), g.depths(), g.scores());
        return png;
    }

    public static Path maxContextChart(Path png, SuiteReport.MemoryReport m) {
        Map<String, Double> maxK = new LinkedHashMap<>();
        m.rows().forEach(row -> maxK.put(row.plan().type(), row.plan().maxContext() / 1024.0));
        Charts.bars(png, "Longest context in " + Formats.size(m.budgetBytes()), m.shape() + " (trained context "
                + Formats.tokens(m.trainedContext()) + "), " + m.weights() + " weights (" + Formats.bytes(m
                .weightBytes()) + "), buffers, fp16 windows and known codebooks included",
                "KV cache type", "max context (K tokens)", Map.of("max context", maxK), null,
                new DecimalFormat("#,##0.#K"));
        return png;
    }

    private static Path memoryPerToken(Path png, SuiteReport.MemoryReport m) {
        Map<String, Double> kib = new LinkedHashMap<>();
        m.rows().forEach(row -> kib.put(row.plan().type(), row.plan().bytesPerToken() / 1024));
        Charts.bars(png, "KV cache memory per token", m.shape() + ", all layers, keys and values, compressed steady"
                + " state", "KV cache type", "KiB per token", Map.of("KiB per token", kib), null,
                new DecimalFormat("#,##0.0#"));
        return png;
    }

    private static Path pplChart(Path png, SuiteReport r) {
        List<Charts.Point> points = r.caches().stream()
                .map(e -> new Charts.Point(e.type(), e.bitsPerValue(), e.perplexity().perplexity())).toList();
        SuiteReport.Settings s = r.settings();
        Charts.scatterLog2(png, "Perplexity vs KV cache bits per value", s.text() + ", " + Formats.count(r.caches()
                .getFirst().perplexity().tokens()) + " tokens, ctx " + s.ctx() + ", stride " + s.stride() + ", chunk "
                + s.chunk(), "KV cache bits per value (log scale)", "perplexity", points);
        return png;
    }

    private static Path retrievalBars(Path png, String title, List<SuiteReport.CacheEntry> caches,
                                      Function<SuiteReport.CacheEntry, RetrievalGrid> grid) {
        Map<String, Map<String, Double>> byType = new LinkedHashMap<>();
        for (SuiteReport.CacheEntry e : caches) {
            RetrievalGrid g = grid.apply(e);
            Map<String, Double> byLength = new LinkedHashMap<>();
            for (int l = 0; l < g.lengths().length; l++) {
                byLength.put("L=" + g.lengths()[l], g.meanAtLength(l));
            }
            byType.put(e.type(), byLength);
        }
        RetrievalGrid first = grid.apply(caches.getFirst());
        Charts.bars(png, title, "mean over " + first.depths().length + " depths × " + first.trials()
                + " trials per context length", "context length (tokens)", "accuracy", byType, 1.08,
                new DecimalFormat("0.00"));
        return png;
    }
}
