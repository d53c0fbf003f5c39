package org.commvq.cli.eval.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.geom.Ellipse2D;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.DefaultDrawingSupplier;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Every PNG the evaluation writes, drawn off-screen with one look: white plots, light grid, values printed. */
public final class Charts {
    public static final int WIDTH = 960;
    public static final int HEIGHT = 600;
    private static final Font SUBTITLE_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
    /** Strong colours that read on white, in the same order in every chart, so a cache type keeps its colour. */
    private static final Paint[] PALETTE = {new Color(0x1F77B4), new Color(0xFF7F0E), new Color(0x2CA02C),
            new Color(0xD62728), new Color(0x9467BD), new Color(0x8C564B), new Color(0xE377C2), new Color(0x7F7F7F),
            new Color(0xBCBD22), new Color(0x17BECF)};

    static {
        // Rendering to an image needs no display; without this, AWT may look for one on a server.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private Charts() {
    }

    /** A labelled point of a scatter plot. */
    public record Point(String label, double x, double y) {
    }

    /** One point per series (so the legend names them), each also labelled beside it; x on a log2 axis. */
    public static void scatterLog2(Path png, String title, String subtitle, String xLabel, String yLabel,
                                   List<Point> points) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Point p : points) {
            XYSeries s = new XYSeries(p.label());
            s.add(p.x(), p.y());
            data.addSeries(s);
        }
        JFreeChart chart = ChartFactory.createScatterPlot(title, xLabel, yLabel, data);
        XYPlot plot = chart.getXYPlot();
        LogAxis x = new LogAxis(xLabel);
        x.setBase(2);
        x.setNumberFormatOverride(new DecimalFormat("0.##"));
        // Ticks at whole powers of two, and room beside the outermost points for their labels.
        x.setAutoTickUnitSelection(false);
        x.setTickUnit(new NumberTickUnit(1));
        x.setMinorTickMarksVisible(false);
        double min = points.stream().mapToDouble(Point::x).min().orElse(1);
        double max = points.stream().mapToDouble(Point::x).max().orElse(2);
        x.setRange(min / 1.6, max * 1.6);
        plot.setDomainAxis(x);
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        XYLineAndShapeRenderer r = (XYLineAndShapeRenderer) plot.getRenderer();
        for (int i = 0; i < points.size(); i++) {
            r.setSeriesShape(i, new Ellipse2D.Double(-6, -6, 12, 12));
            Point p = points.get(i);
            XYTextAnnotation a = new XYTextAnnotation("  " + p.label() + String.format(Locale.ROOT, " (%.2f)", p.y()),
                    p.x(), p.y());
            a.setTextAnchor(TextAnchor.BOTTOM_LEFT);
            a.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            plot.addAnnotation(a);
        }
        save(png, style(chart, subtitle));
    }

    /**
     * Bars by category, one colour per series (a single series gives plain bars), each bar labelled with its value.
     *
     * @param values      series → category → value, in the order to draw
     * @param upper       top of the value axis, or null to fit the data
     * @param labelFormat how bar labels print their value
     */
    public static void bars(Path png, String title, String subtitle, String categoryLabel, String valueLabel,
                            Map<String, Map<String, Double>> values, Double upper, DecimalFormat labelFormat) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        values.forEach((series, byCategory) -> byCategory.forEach((cat, v) -> data.addValue(v, series, cat)));
        JFreeChart chart = ChartFactory.createBarChart(title, categoryLabel, valueLabel, data, PlotOrientation.VERTICAL,
                values.size() > 1, false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        NumberAxis axis = (NumberAxis) plot.getRangeAxis();
        if (upper != null) {
            axis.setRange(0, upper);
        } else {
            axis.setUpperMargin(0.12);
        }
        BarRenderer r = (BarRenderer) plot.getRenderer();
        r.setBarPainter(new StandardBarPainter());
        r.setShadowVisible(false);
        r.setItemMargin(0.04);
        r.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}", labelFormat));
        r.setDefaultItemLabelsVisible(true);
        r.setDefaultItemLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, values.size() > 3 ? 10 : 12));
        save(png, style(chart, subtitle));
    }

    /**
     * The needle-in-a-haystack figure: context length across, depth down (0 at the top), each cell coloured from
     * red (0) through yellow to green (1) and printed with its score.
     */
    public static void heatmap(Path png, String title, String subtitle, int[] lengths, double[] depths,
                               double[][] scores) {
        int cells = lengths.length * depths.length;
        double[][] xyz = new double[3][cells];
        int i = 0;
        for (int l = 0; l < lengths.length; l++) {
            for (int d = 0; d < depths.length; d++) {
                xyz[0][i] = l;
                xyz[1][i] = d;
                xyz[2][i++] = scores[l][d];
            }
        }
        DefaultXYZDataset data = new DefaultXYZDataset();
        data.addSeries("score", xyz);
        String[] xNames = new String[lengths.length];
        for (int l = 0; l < lengths.length; l++) {
            xNames[l] = Integer.toString(lengths[l]);
        }
        String[] yNames = new String[depths.length];
        for (int d = 0; d < depths.length; d++) {
            yNames[d] = String.format(Locale.ROOT, "%.0f%%", 100 * depths[d]);
        }
        SymbolAxis x = new SymbolAxis("Context length (tokens)", xNames);
        SymbolAxis y = new SymbolAxis("Needle depth", yNames);
        y.setInverted(true);
        x.setGridBandsVisible(false);
        y.setGridBandsVisible(false);
        XYBlockRenderer r = new XYBlockRenderer();
        // Blocks a little smaller than a cell leave white lines between the cells.
        r.setBlockWidth(0.97);
        r.setBlockHeight(0.97);
        RedYellowGreen scale = new RedYellowGreen();
        r.setPaintScale(scale);
        XYPlot plot = new XYPlot(data, x, y, r);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setOutlineVisible(false);
        Font ticks = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
        x.setTickLabelFont(ticks);
        y.setTickLabelFont(ticks);
        for (int k = 0; k < cells; k++) {
            XYTextAnnotation a = new XYTextAnnotation(String.format(Locale.ROOT, "%.2f", xyz[2][k]), xyz[0][k],
                    xyz[1][k]);
            a.setFont(new Font(Font.SANS_SERIF, Font.BOLD, cells > 60 ? 10 : 14));
            plot.addAnnotation(a);
        }
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
        chart.addSubtitle(new TextTitle(subtitle, SUBTITLE_FONT));
        NumberAxis legendAxis = new NumberAxis("score");
        legendAxis.setRange(0, 1);
        legendAxis.setTickUnit(new NumberTickUnit(0.25));
        PaintScaleLegend legend = new PaintScaleLegend(scale, legendAxis);
        legend.setPosition(RectangleEdge.RIGHT);
        legend.setMargin(8, 8, 8, 8);
        legend.setStripWidth(18);
        legend.setBackgroundPaint(Color.WHITE);
        chart.addSubtitle(legend);
        chart.setBackgroundPaint(Color.WHITE);
        save(png, chart);
    }

    /** 0 → red, 0.5 → yellow, 1 → green. */
    private static final class RedYellowGreen implements PaintScale {
        @Override
        public double getLowerBound() {
            return 0;
        }

        @Override
        public double getUpperBound() {
            return 1;
        }

        @Override
        public Paint getPaint(double value) {
            double v = Math.clamp(value, 0.0, 1.0);
            return v < 0.5 ? mix(new Color(0xD7, 0x30, 0x27), new Color(0xFE, 0xE0, 0x8B), v * 2)
                    : mix(new Color(0xFE, 0xE0, 0x8B), new Color(0x1A, 0x98, 0x50), (v - 0.5) * 2);
        }

        private static Color mix(Color a, Color b, double t) {
            return new Color((int) Math.round(a.getRed() + t * (b.getRed() - a.getRed())),
                    (int) Math.round(a.getGreen() + t * (b.getGreen() - a.getGreen())),
                    (int) Math.round(a.getBlue() + t * (b.getBlue() - a.getBlue())));
        }
    }

    private static JFreeChart style(JFreeChart chart, String subtitle) {
        chart.setBackgroundPaint(Color.WHITE);
        chart.addSubtitle(0, new TextTitle(subtitle, SUBTITLE_FONT));
        Plot plot = chart.getPlot();
        plot.setDrawingSupplier(new DefaultDrawingSupplier(PALETTE, DefaultDrawingSupplier.DEFAULT_FILL_PAINT_SEQUENCE,
                DefaultDrawingSupplier.DEFAULT_OUTLINE_PAINT_SEQUENCE, DefaultDrawingSupplier.DEFAULT_STROKE_SEQUENCE,
                DefaultDrawingSupplier.DEFAULT_OUTLINE_STROKE_SEQUENCE, DefaultDrawingSupplier.DEFAULT_SHAPE_SEQUENCE));
        plot.setBackgroundPaint(Color.WHITE);
        plot.setOutlinePaint(Color.GRAY);
        Color grid = new Color(0xDD, 0xDD, 0xDD);
        BasicStroke line = new BasicStroke(1f);
        if (plot instanceof XYPlot xy) {
            xy.setDomainGridlinePaint(grid);
            xy.setRangeGridlinePaint(grid);
            xy.setDomainGridlineStroke(line);
            xy.setRangeGridlineStroke(line);
        } else if (plot instanceof CategoryPlot cat) {
            cat.setRangeGridlinePaint(grid);
            cat.setRangeGridlineStroke(line);
        }
        return chart;
    }

    private static void save(Path png, JFreeChart chart) {
        try {
            ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, HEIGHT);
        } catch (IOException e) {
            throw new UncheckedIOException(png + ": cannot write the chart: " + e.getMessage(), e);
        }
    }
}
