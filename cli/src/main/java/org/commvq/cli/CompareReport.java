package org.commvq.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.awt.AWTError;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.commvq.cache.ModelShape;
import org.commvq.model.backend.ComparisonResult;
import org.commvq.model.backend.SessionInfo;
import org.commvq.model.load.LoadedModel;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Every rendering of a `commvq compare` result: the JSON document (the one data model; Markdown and PNG are drawn
 * from the same numbers), a Markdown summary, and a PNG with the per-step max |logit difference| and the speeds.
 * The bandwidth bound is the candidate's weight bytes per decode step over the device's peak bandwidth: no decode
 * step can be faster, since each one reads every weight once.
 */
final class CompareReport {
    private static final int WIDTH = 1400;
    private static final int HEIGHT = 520;
    private final Map<String, Object> doc = new LinkedHashMap<>();
    private final ComparisonResult r;

    CompareReport(LoadedModel model, String prompt, ComparisonResult r, double peakBytesPerSecond) {
        this.r = r;
        ModelShape s = model.shape();
        doc.put("model", ordered("path", model.source().toString(), "fileWeights", model.weightType(),
                "fileWeightBytes", model.weights().byteSize(), "layers", s.layers(), "dim", s.dim(),
                "heads", s.heads(), "kvHeads", s.kvHeads(), "ffnDim", s.ffnDim(), "vocab", s.vocab()));
        doc.put("kvCache", r.reference().cacheType());
        doc.put("prompt", prompt);
        doc.put("promptTokens", r.promptTokens());
        doc.put("steps", r.steps().size());
        doc.put("reference", side(r.reference()));
        doc.put("candidate", side(r.candidate()));
        doc.put("prefill", speeds(r.referencePrefillTokensPerSecond(), r.candidatePrefillTokensPerSecond()));
        doc.put("decode", speeds(r.referenceDecodeTokensPerSecond(), r.candidateDecodeTokensPerSecond()));
        double boundMs = r.candidate().weightBytesPerStep() / peakBytesPerSecond * 1e3;
        double candMs = msPerToken(r.candidateDecodeTokensPerSecond());
        doc.put("bandwidthBound", ordered("peakGBps", peakBytesPerSecond / 1e9,
                "candidateWeightBytesPerStep", r.candidate().weightBytesPerStep(),
                "boundMsPerToken", boundMs, "candidateMsPerToken", candMs,
                "fractionOfBound", candMs > 0 ? boundMs / candMs : 0.0));
        int[] refTokens = r.steps().stream().mapToInt(ComparisonResult.Step::referenceToken).toArray();
        doc.put("greedy", ordered("agreeingSteps", r.agreeingSteps(), "agreement",
                r.agreeingSteps() / (double) r.steps().size(), "firstDisagreement", r.firstDisagreement(),
                "referenceTokens", refTokens,
                "candidateTokens", r.steps().stream().mapToInt(ComparisonResult.Step::candidateToken).toArray(),
                "referenceText", model.tokenizer().decode(refTokens)));
        doc.put("logits", ordered("maxAbsDiff", r.maxAbsDiff(),
                "maxAbsDiffPerStep", r.steps().stream().mapToDouble(ComparisonResult.Step::maxAbsDiff).toArray(),
                "maxAbsLogitPerStep", r.steps().stream().mapToDouble(ComparisonResult.Step::maxAbsLogit).toArray()));
    }

    String json() {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc)
                    + System.lineSeparator();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# CPU vs ").append(r.candidate().backend()).append(" comparison\n\n");
        md.append(String.format(Locale.ROOT, "Model `%s` (%s), KV cache %s, %d prompt tokens, %d greedy steps"
                        + " (step 0 = the prompt's logits; every step fed the CPU's greedy token).%n%n",
                get("model", "path"), get("model", "fileWeights"), doc.get("kvCache"), r.promptTokens(),
                r.steps().size()));
        md.append("| | CPU | ").append(r.candidate().backend()).append(" |\n|---|---|---|\n");
        md.append(row("device", r.reference().device(), r.candidate().device()));
        md.append(row("weights multiplied as", r.reference().weights(), r.candidate().weights()));
        md.append(row("prefill tokens/s", fmt(r.referencePrefillTokensPerSecond()),
                fmt(r.candidatePrefillTokensPerSecond())));
        md.append(row("decode tokens/s", fmt(r.referenceDecodeTokensPerSecond()),
                fmt(r.candidateDecodeTokensPerSecond())));
        md.append(row("decode ms/token", fmt(msPerToken(r.referenceDecodeTokensPerSecond())),
                fmt(msPerToken(r.candidateDecodeTokensPerSecond()))));
        md.append('\n');
        md.append(String.format(Locale.ROOT, "- speed-up: prefill %sx, decode %sx%n", get("prefill", "speedup"),
                get("decode", "speedup")));
        md.append(String.format(Locale.ROOT, "- bandwidth bound: %,d weight bytes per step at %s GB/s = %s ms/token;"
                        + " measured %s ms/token, %s%% of the bound%n",
                r.candidate().weightBytesPerStep(), fmt((double) get("bandwidthBound", "peakGBps")),
                fmt((double) get("bandwidthBound", "boundMsPerToken")),
                fmt((double) get("bandwidthBound", "candidateMsPerToken")),
                fmt(100 * (double) get("bandwidthBound", "fractionOfBound"))));
        md.append(String.format(Locale.ROOT, "- max |logit difference| over all steps: %.3e%n", r.maxAbsDiff()));
        md.append(String.format(Locale.ROOT, "- greedy agreement: %d of %d steps%s%n", r.agreeingSteps(),
                r.steps().size(), r.firstDisagreement() < 0 ? "" : " (first difference at step "
                        + r.firstDisagreement() + ")"));
        md.append("- CPU greedy text: `").append(String.valueOf(get("greedy", "referenceText"))
                .replace("`", "'").replace("\n", "\\n")).append("`\n\n");
        md.append("| step | CPU token | ").append(r.candidate().backend())
                .append(" token | max abs diff | max abs logit |\n|---|---|---|---|---|\n");
        for (ComparisonResult.Step s : r.steps()) {
            md.append(String.format(Locale.ROOT, "| %d | %d | %d%s | %.3e | %.2f |%n", s.step(), s.referenceToken(),
                    s.candidateToken(), s.agrees() ? "" : " ≠", s.maxAbsDiff(), s.maxAbsLogit()));
        }
        return md.toString();
    }

    /** compare.json, compare.md and compare.png in dir; the text files are written even where the PNG cannot be. */
    void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("compare.json"), json());
        Files.writeString(dir.resolve("compare.md"), markdown());
        BufferedImage image;
        try {
            image = png();
        } catch (RuntimeException | LinkageError | AWTError e) {
            throw new IllegalStateException(dir.resolve("compare.png") + " not written: Java's AWT could not draw text"
                    + " here (" + e.getMessage() + "; a machine without fonts needs -Dsun.awt.fontconfig=FILE);"
                    + " compare.json and compare.md are written", e);
        }
        ImageIO.write(image, "png", dir.resolve("compare.png").toFile());
    }

    private BufferedImage png() {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        XYSeries diffs = new XYSeries("max |CPU − " + r.candidate().backend() + "| logit");
        for (ComparisonResult.Step s : r.steps()) {
            diffs.add(s.step(), s.maxAbsDiff());
        }
        JFreeChart line = ChartFactory.createXYLineChart("Logit difference per step (" + r.reference().cacheType()
                        + " cache)", "step (0 = prompt)", "max |logit diff|",
                new XYSeriesCollection(diffs), PlotOrientation.VERTICAL, true, false, false);
        line.getXYPlot().getDomainAxis().setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        DefaultCategoryDataset speeds = new DefaultCategoryDataset();
        String reference = "reference: " + r.reference().backend();
        String candidate = "candidate: " + r.candidate().backend();
        speeds.addValue(r.referencePrefillTokensPerSecond(), reference, "prefill");
        speeds.addValue(r.candidatePrefillTokensPerSecond(), candidate, "prefill");
        speeds.addValue(r.referenceDecodeTokensPerSecond(), reference, "decode");
        speeds.addValue(r.candidateDecodeTokensPerSecond(), candidate, "decode");
        JFreeChart bars = ChartFactory.createBarChart("Speed (decode " + get("decode", "speedup") + "x)", "",
                "tokens/s", speeds, PlotOrientation.VERTICAL, true, false, false);
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        line.draw(g, new Rectangle2D.Double(0, 0, WIDTH * 0.6, HEIGHT));
        bars.draw(g, new Rectangle2D.Double(WIDTH * 0.6, 0, WIDTH * 0.4, HEIGHT));
        g.dispose();
        return image;
    }

    private static Map<String, Object> side(SessionInfo info) {
        return ordered("backend", info.backend(), "device", info.device(), "weights", info.weights(),
                "weightBytesPerStep", info.weightBytesPerStep());
    }

    private static Map<String, Object> speeds(double reference, double candidate) {
        return ordered("referenceTokensPerSecond", reference, "candidateTokensPerSecond", candidate,
                "speedup", reference > 0 ? Double.parseDouble(fmt(candidate / reference)) : 0.0);
    }

    private static Map<String, Object> ordered(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    private Object get(String section, String key) {
        return ((Map<String, Object>) doc.get(section)).get(key);
    }

    private static String row(String what, String reference, String candidate) {
        return "| " + what + " | " + reference + " | " + candidate + " |\n";
    }

    private static double msPerToken(double tokensPerSecond) {
        return tokensPerSecond > 0 ? 1e3 / tokensPerSecond : 0;
    }

    /** Three significant digits, plain notation. */
    private static String fmt(double v) {
        if (!Double.isFinite(v)) {
            return String.valueOf(v);
        }
        return new BigDecimal(v).round(new MathContext(3)).stripTrailingZeros().toPlainString();
    }
}
