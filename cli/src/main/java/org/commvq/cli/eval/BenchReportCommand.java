package org.commvq.cli.eval;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.commvq.cli.DebugOption;
import org.commvq.cli.eval.report.Charts;
import org.commvq.cli.eval.report.TextTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Gathers `commvq bench --json` results (e.g. one per cache type and context, from the GPU machine) into the
 * evaluation reports' three forms: report.json, report.md and decode_vs_context.png.
 */
@Command(name = "bench-report", mixinStandardHelpOptions = true,
        description = "Collect `commvq bench --json` outputs into report.json, report.md and decode_vs_context.png.")
final class BenchReportCommand implements Callable<Integer> {
    static final String PNG = "decode_vs_context.png";

    @Spec
    CommandSpec spec;
    @Mixin
    DebugOption debugOption;

    @Parameters(paramLabel = "BENCH.json", arity = "1..*", description = "outputs of `commvq bench --json`")
    List<Path> inputs;

    @Option(names = {"-o", "--out"}, paramLabel = "DIR", required = true, description = "folder for the report")
    Path out;

    @Option(names = "--bandwidth", paramLabel = "GB/s", defaultValue = "3350",
            description = "memory bandwidth for the bound (weight bytes per step / bandwidth; default: ${DEFAULT-VALUE},"
                    + " the H100 SXM)")
    double bandwidth;

    /** One bench result, with what the report derives from it. */
    record Row(String cache, String launch, long context, double decodeTokensPerSecond, double msPerToken, double boundFraction,
               double timeToFirstTokenSeconds, double deviceGiB, String device, String source) {
    }

    @Override
    public Integer call() throws IOException {
        if (bandwidth <= 0) {
            throw new IllegalArgumentException("--bandwidth must be positive, got " + bandwidth);
        }
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        List<Row> rows = new ArrayList<>();
        for (Path in : inputs) {
            rows.add(row(json, in));
        }
        rows.sort(Comparator.comparing(Row::cache).thenComparing(Row::launch).thenComparingLong(Row::context));
        Files.createDirectories(out);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("bandwidthGBs", bandwidth);
        report.put("results", rows);
        Files.writeString(out.resolve("report.json"), json.writeValueAsString(report));
        TextTable table = new TextTable("kv cache", "launches", "context", "decode tok/s", "ms/token", "of bandwidth bound",
                "first token s", "device GiB");
        Map<String, Map<String, Double>> bars = new LinkedHashMap<>();
        for (Row r : rows) {
            table.row(r.cache(), r.launch(), r.context(), fmt("%.2f", r.decodeTokensPerSecond()), fmt("%.1f", r.msPerToken()),
                    fmt("%.2f %%", 100 * r.boundFraction()), fmt("%.1f", r.timeToFirstTokenSeconds()),
                    fmt("%.2f", r.deviceGiB()));
            bars.computeIfAbsent(r.cache() + ", " + r.launch(), k -> new LinkedHashMap<>()).put(Long.toString(r.context()),
                    r.decodeTokensPerSecond());
        }
        String device = rows.getFirst().device();
        String md = "# Decode speed by KV cache and context\n\n" + device + "; bound = weight bytes per step / "
                + fmt("%.0f", bandwidth) + " GB/s. Context: positions of seeded random cache contents before the"
                + " measured tokens (`bench --context`).\n\n" + table.markdown();
        Files.writeString(out.resolve("report.md"), md);
        Charts.bars(out.resolve(PNG), "Decode tokens/s by context", device, "context (tokens)", "tokens/s", bars,
                null, new DecimalFormat("0.0"));
        PrintWriter pw = spec.commandLine().getOut();
        pw.print(table.text());
        pw.println("wrote " + out.resolve("report.json") + ", report.md and " + PNG);
        return 0;
    }

    private Row row(ObjectMapper json, Path in) throws IOException {
        JsonNode n;
        try {
            n = json.readTree(in.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(in + ": not a `commvq bench --json` output (" + e.getMessage() + ")");
        }
        for (String field : new String[] {"kvCache", "decodeTokensPerSecond", "weightBytesPerStep", "deviceName"}) {
            if (n == null || !n.has(field)) {
                throw new IllegalArgumentException(in + ": not a `commvq bench --json` output (no '" + field
                        + "')");
            }
        }
        double tps = n.get("decodeTokensPerSecond").get("median").asDouble();
        double ms = tps > 0 ? 1000 / tps : Double.NaN;
        double boundMs = n.get("weightBytesPerStep").asDouble() / (bandwidth * 1e9) * 1000;
        String device = n.get("deviceName").asText();
        int comma = device.indexOf(',');
        String launch = device.contains("(CUDA graphs)") ? "CUDA graphs" : "per task";
        return new Row(n.get("kvCache").asText(), launch, n.path("context").asLong(0), tps, ms, boundMs / ms,
                n.path("timeToFirstTokenSeconds").asDouble(Double.NaN),
                n.path("deviceBytes").asLong(0) / (1024.0 * 1024 * 1024), comma < 0 ? device : device.substring(0, comma),
                in.getFileName().toString());
    }

    private static String fmt(String format, double v) {
        return String.format(Locale.ROOT, format, v);
    }
}
