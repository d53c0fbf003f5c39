package org.commvq.cli.eval.report;

import java.util.List;
import java.util.function.Function;
import org.commvq.model.eval.MemoryBudget;
import org.commvq.model.eval.RetrievalGrid;

/** The tables of every evaluation, built once and printed to the console or into report.md. */
public final class ReportTables {
    private ReportTables() {
    }

    public static TextTable perplexity(List<SuiteReport.CacheEntry> entries) {
        TextTable t = new TextTable("kv cache", "bits/value", "ppl", "nats/token", "bits/byte", "tokens", "seconds",
                "tokens/s");
        for (SuiteReport.CacheEntry e : entries) {
            SuiteReport.PerplexityEntry r = e.perplexity();
            t.row(e.type(), Formats.fixed(e.bitsPerValue(), 2), Formats.fixed(r.perplexity(), 3),
                    Formats.fixed(r.natsPerToken(), 4), Formats.fixed(r.bitsPerByte(), 4), Formats.count(r.tokens()),
                    Formats.fixed(r.seconds(), 1), Formats.fixed(r.tokens() / r.seconds(), 1));
        }
        return t;
    }

    /** One grid: a row per length, a column per depth, and the row mean. */
    public static TextTable retrieval(RetrievalGrid g) {
        String[] header = new String[g.depths().length + 2];
        header[0] = "length";
        for (int d = 0; d < g.depths().length; d++) {
            header[d + 1] = "d=" + Formats.depth(g.depths()[d]);
        }
        header[header.length - 1] = "mean";
        TextTable t = new TextTable(header);
        for (int l = 0; l < g.lengths().length; l++) {
            Object[] row = new Object[header.length];
            row[0] = g.lengths()[l];
            for (int d = 0; d < g.depths().length; d++) {
                row[d + 1] = Formats.fixed(g.scores()[l][d], 2);
            }
            row[row.length - 1] = Formats.fixed(g.meanAtLength(l), 2);
            t.row(row);
        }
        return t;
    }

    /** Several cache types side by side: a row per type, a column per length (mean over depths). */
    public static TextTable retrievalByType(List<SuiteReport.CacheEntry> entries,
                                            Function<SuiteReport.CacheEntry, RetrievalGrid> grid) {
        RetrievalGrid first = grid.apply(entries.getFirst());
        String[] header = new String[first.lengths().length + 2];
        header[0] = "kv cache";
        for (int l = 0; l < first.lengths().length; l++) {
            header[l + 1] = "L=" + first.lengths()[l];
        }
        header[header.length - 1] = "mean";
        TextTable t = new TextTable(header);
        for (SuiteReport.CacheEntry e : entries) {
            RetrievalGrid g = grid.apply(e);
            Object[] row = new Object[header.length];
            row[0] = e.type();
            for (int l = 0; l < g.lengths().length; l++) {
                row[l + 1] = Formats.fixed(g.meanAtLength(l), 2);
            }
            row[row.length - 1] = Formats.fixed(g.mean(), 2);
            t.row(row);
        }
        return t;
    }

    /** Per type: cost per token, the fixed extras, total memory at each context, and the longest context. */
    public static TextTable memory(SuiteReport.MemoryReport m) {
        long[] contexts = m.contexts();
        String[] header = new String[6 + contexts.length];
        header[0] = "kv cache";
        header[1] = "bits/value";
        header[2] = "bytes/token";
        header[3] = "fp16 window";
        header[4] = "codebooks";
        for (int c = 0; c < contexts.length; c++) {
            header[5 + c] = "total @" + Formats.tokens(contexts[c]);
        }
        header[header.length - 1] = "max context";
        TextTable t = new TextTable(header);
        for (SuiteReport.MemoryRow r : m.rows()) {
            MemoryBudget.Plan p = r.plan();
            Object[] row = new Object[header.length];
            row[0] = p.type();
            row[1] = Formats.fixed(p.bitsPerValue(), 2);
            row[2] = Formats.fixed(p.bytesPerToken(), 1);
            row[3] = Formats.bytes(p.windowBytes());
            row[4] = p.codebookBytes() == 0 ? "-" : Formats.bytes(p.codebookBytes());
            for (int c = 0; c < contexts.length; c++) {
                row[5 + c] = Formats.bytes(r.totals()[c]) + (r.totals()[c] > m.budgetBytes() ? " (over)" : "");
            }
            row[row.length - 1] = Formats.count(p.maxContext()) + " (" + Formats.tokens(p.maxContext()) + ")";
            t.row(row);
        }
        return t;
    }
}
