package org.commvq.cli.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.commvq.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bench-report over two bench outputs: the three report files, and the derived numbers. */
class BenchReportCommandTest {
    @TempDir
    Path dir;

    @Test
    void writesJsonMarkdownAndPngWithTheBoundFraction() throws IOException {
        Path a = bench("a.json", "commvq1", 131072, 4.0, false);
        Path b = bench("b.json", "fp16", 8192, 10.0, true);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"eval", "bench-report", a.toString(), b.toString(), "-o",
            dir.resolve("r").toString()}, new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, code, err.toString());
        for (String f : new String[] {"report.json", "report.md", BenchReportCommand.PNG}) {
            assertTrue(Files.size(dir.resolve("r").resolve(f)) > 0, f);
        }
        String md = Files.readString(dir.resolve("r/report.md"));
        // 3.35e9 bytes per step at 3350 GB/s is 1 ms; 4 tokens/s is 250 ms, 0.40 % of the bound.
        assertTrue(md.contains("| commvq1 | per task | 131072 | 4.00 | 250.0 | 0.40 % |"), md);
        assertTrue(md.contains("| fp16 | CUDA graphs | 8192 | 10.00 | 100.0 | 1.00 % |"), md);
    }

    @Test
    void aFileThatIsNotABenchOutputIsOneLine() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.json"), "{\"x\": 1}");
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"eval", "bench-report", bad.toString(), "-o", dir.toString()},
                new PrintWriter(new StringWriter()), new PrintWriter(err, true));
        assertTrue(code != 0);
        assertTrue(err.toString().strip().startsWith("error: " + bad), err.toString());
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
    }

    private Path bench(String name, String cache, long context, double tps, boolean cudaGraphs) throws IOException {
        String device = "PTX GPU NVIDIA H100 80GB HBM3 (PTX), 79.2 GiB, 9 graphs per token"
                + (cudaGraphs ? " (CUDA graphs)" : "") + ", 1.0 of 2.0 MiB budgeted";
        return Files.writeString(dir.resolve(name), """
                {"kvCache": "%s", "context": %d, "deviceName": "%s", "weightBytesPerStep": 3350000000,
                 "deviceBytes": 1073741824, "timeToFirstTokenSeconds": 12.5,
                 "decodeTokensPerSecond": {"min": %s, "median": %s, "max": %s}}
                """.formatted(cache, context, device, tps, tps, tps));
    }
}
