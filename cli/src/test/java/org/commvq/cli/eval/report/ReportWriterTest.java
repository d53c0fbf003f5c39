package org.commvq.cli.eval.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.commvq.model.ShapePresets;
import org.commvq.model.eval.MemoryBudget;
import org.commvq.model.eval.PerplexityResult;
import org.commvq.model.eval.RetrievalGrid;
import org.commvq.model.gguf.GgmlType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    private static RetrievalGrid grid(double score) {
        return new RetrievalGrid(new int[] {512, 1024}, new double[] {0, 1}, 2,
                new double[][] {{score, 1}, {1, score}}, List.of(new RetrievalGrid.Example(512, 0, "12345",
                " 12345.", true)), 1.5);
    }

    private static SuiteReport.CacheEntry entry(String type, double bits, double ppl, double score) {
        PerplexityResult r = new PerplexityResult(1000, 1000 * Math.log(ppl), 4000, 10);
        return new SuiteReport.CacheEntry(type, bits, bits * 64, SuiteReport.PerplexityEntry.of(r), grid(score),
                grid(score));
    }

    @Test
    void writesJsonMarkdownAndEveryPlot() throws IOException {
        MemoryBudget budget = new MemoryBudget(ShapePresets.get("llama-3.1-8b"), GgmlType.Q8_0, 24L << 30);
        SuiteReport report = new SuiteReport("2025-01-01T00:00:00Z",
                new SuiteReport.ModelInfo("m.gguf", "tiny", "Q8_0", 29_368_832, 8, 2, 128, 2048),
                new SuiteReport.Settings(true, "austen.txt (validation split)", 512, 256, 1, 1000, "filler",
                        "essays.txt", new int[] {512, 1024}, new double[] {0, 1}, 2, 2, 1, null),
                List.of(entry("fp16", 16, 38.2, 1), entry("kivi2", 3.06, 41.5, 0.5)),
                List.of(new SuiteReport.Skipped("vqkv", "needs a codebook")),
                SuiteReport.MemoryReport.of("llama-3.1-8b", budget, new long[] {8192, 131072},
                        List.of("fp16", "kivi2"), type -> 0));
        List<Path> files = ReportWriter.write(tmp, report);
        for (String name : List.of(ReportWriter.JSON, ReportWriter.MARKDOWN, ReportWriter.PPL_PNG,
                ReportWriter.PASSKEY_PNG, ReportWriter.NIAH_PNG, ReportWriter.MEMORY_PNG, ReportWriter.CONTEXT_PNG,
                ReportWriter.heatmapName("fp16"), ReportWriter.heatmapName("kivi2"))) {
            assertTrue(files.contains(tmp.resolve(name)), name);
            assertTrue(Files.size(tmp.resolve(name)) > 0, name);
        }
        JsonNode json = new ObjectMapper().readTree(tmp.resolve(ReportWriter.JSON).toFile());
        assertEquals(38.2, json.at("/caches/0/perplexity/perplexity").asDouble(), 1e-9);
        assertEquals(0.5, json.at("/caches/1/passkey/scores/0/0").asDouble());
        assertEquals("vqkv", json.at("/skipped/0/type").asText());
        assertEquals(73_994 > 0, json.at("/memory/rows/0/plan/maxContext").asLong() > 0);
        String md = Files.readString(tmp.resolve(ReportWriter.MARKDOWN));
        assertTrue(md.contains("| fp16 | 16.00 | 38.200 |"), md);
        assertTrue(md.contains("| kivi2 | 0.75 | 0.75 | 0.75 |"), md);
        assertTrue(md.contains("- skipped **vqkv**: needs a codebook"), md);
        assertTrue(md.contains("![perplexity against bits per value](ppl_vs_bits.png)"), md);
    }
}
