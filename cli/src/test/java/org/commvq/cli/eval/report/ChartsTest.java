package org.commvq.cli.eval.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartsTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    private static BufferedImage read(Path png) throws IOException {
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(Charts.WIDTH, img.getWidth());
        assertEquals(Charts.HEIGHT, img.getHeight());
        return img;
    }

    @Test
    void heatmapIsAPngOfTheChartSizeWithRedAndGreenCells() throws IOException {
        Path png = tmp.resolve("niah.png");
        Charts.heatmap(png, "test", "sub", new int[] {512, 1024}, new double[] {0, 1}, new double[][] {{0, 1}, {1, 1}});
        BufferedImage img = read(png);
        // Depth 0 is at the top and length 512 at the left: that cell scored 0, so it is red, and its neighbour green.
        int red = img.getRGB(img.getWidth() / 4, img.getHeight() / 4 + 20);
        int green = img.getRGB(img.getWidth() / 4, img.getHeight() * 3 / 4 - 20);
        assertEquals(0xD7, (red >> 16) & 0xFF);
        assertEquals(0x98, (green >> 8) & 0xFF);
    }

    @Test
    void barsAndScatterAreWritten() throws IOException {
        Map<String, Map<String, Double>> byType = new LinkedHashMap<>();
        byType.put("fp16", Map.of("L=512", 1.0));
        byType.put("kivi2", Map.of("L=512", 0.5));
        Path bars = tmp.resolve("bars.png");
        Charts.bars(bars, "t", "s", "c", "v", byType, 1.0, new DecimalFormat("0.00"));
        read(bars);
        Path scatter = tmp.resolve("scatter.png");
        Charts.scatterLog2(scatter, "t", "s", "bits", "ppl", List.of(new Charts.Point("fp16", 16, 38.2),
                new Charts.Point("kivi2", 3, 40.1)));
        BufferedImage img = read(scatter);
        assertNotEquals(img.getRGB(0, 0), img.getRGB(img.getWidth() / 2, 15), "a title is drawn");
    }
}
