package org.commvq.cli.eval.report;

import java.util.Arrays;
import java.util.Locale;

/** report.md: the suite's tables and plots, one section per measurement. */
final class MarkdownReport {
    private MarkdownReport() {
    }

    static String of(SuiteReport r) {
        StringBuilder md = new StringBuilder("# commvq evaluation\n\n");
        header(md, r);
        if (!r.caches().isEmpty()) {
            perplexity(md, r);
            passkey(md, r);
            if (r.caches().getFirst().niah() != null) {
                niah(md, r);
            }
        }
        memory(md, r.memory());
        return md.toString();
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    private static void header(StringBuilder md, SuiteReport r) {
        SuiteReport.ModelInfo m = r.model();
        md.append(f("- model: `%s` (%s, %s, %s parameters, %d layers, %d KV heads × %d, trained context"
                        + " %d)\n", m.path(), m.name(), m.weights(), Formats.count(m.parameters()), m.layers(),
                m.kvHeads(), m.headDim(), m.contextLength()));
        md.append("- created: ").append(r.created()).append(r.settings().quick() ? " (--quick settings)" : "")
                .append('\n');
        if (r.settings().codebookDir() != null) {
            md.append("- codebooks: `").append(r.settings().codebookDir()).append("`\n");
        }
        for (SuiteReport.Skipped k : r.skipped()) {
            md.append("- skipped **").append(k.type()).append("**: ").append(k.reason()).append('\n');
        }
    }

    private static void perplexity(StringBuilder md, SuiteReport r) {
        SuiteReport.Settings s = r.settings();
        md.append(f("\n## Perplexity\n\nText: %s, %s tokens; windows of %d tokens (BOS included) every %d,"
                        + " each token scored once, fed through the cache in chunks of %d %s.\n\n", s.text(),
                Formats.count(s.tokens()), s.ctx(), s.stride(), s.chunk(), s.chunk() == 1
                        ? "(exactly as decoding sees it)" : "(attending within a chunk in full precision)"));
        md.append(ReportTables.perplexity(r.caches()).markdown());
        md.append("\n![perplexity against bits per value](").append(ReportWriter.PPL_PNG).append(")\n");
    }

    private static void passkey(StringBuilder md, SuiteReport r) {
        SuiteReport.Settings s = r.settings();
        md.append(f("\n## Pass-key retrieval\n\nHaystack: %s; %d trials per cell, seed %d. Mean accuracy"
                + " over the depths %s:\n\n", s.haystack(), s.passkeyTrials(), s.seed(), Arrays.toString(s.depths())));
        md.append(ReportTables.retrievalByType(r.caches(), SuiteReport.CacheEntry::passkey).markdown());
        md.append("\n![pass-key accuracy](").append(ReportWriter.PASSKEY_PNG).append(")\n");
        for (SuiteReport.CacheEntry e : r.caches()) {
            md.append("\n**").append(e.type()).append("**\n\n")
                    .append(ReportTables.retrieval(e.passkey()).markdown());
        }
    }

    private static void niah(StringBuilder md, SuiteReport r) {
        md.append(f("\n## Needle in a haystack\n\nHaystack: %s; fact needles (\"X was born in P in the"
                + " year Y.\"), a correct answer contains the year; %d trials per cell.\n\n", r.settings().essays(),
                r.settings().niahTrials()));
        md.append(ReportTables.retrievalByType(r.caches(), SuiteReport.CacheEntry::niah).markdown());
        md.append("\n![needle-in-a-haystack accuracy](").append(ReportWriter.NIAH_PNG).append(")\n");
        for (SuiteReport.CacheEntry e : r.caches()) {
            md.append("\n![").append(e.type()).append("](").append(ReportWriter.heatmapName(e.type())).append(")\n");
        }
    }

    private static void memory(StringBuilder md, SuiteReport.MemoryReport m) {
        md.append(f("\n## Memory\n\n%s (trained context %s) with %s weights (%s), activations %s, logits"
                        + " %s, budget %s (%s bytes):\n\n", m.shape(), Formats.tokens(m.trainedContext()),
                m.weights(), Formats.bytes(m.weightBytes()), Formats.bytes(m.activationBytes()),
                Formats.bytes(m.logitsBytes()), Formats.size(m.budgetBytes()), Formats.count(m.budgetBytes())));
        md.append(ReportTables.memory(m).markdown());
        md.append("\n![memory per token](").append(ReportWriter.MEMORY_PNG).append(")\n");
        md.append("\n![longest context](").append(ReportWriter.CONTEXT_PNG).append(")\n");
    }
}
