package org.qformerlab.blip2.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

class ChartsTest {

    static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    static void assertPngOfSize(byte[] png, int width, int height) throws IOException {
        assertArrayEquals(PNG_MAGIC, Arrays.copyOf(png, 8), "PNG magic bytes");
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(width, image.getWidth());
        assertEquals(height, image.getHeight());
    }

    private static Map<String, double[][]> losses() {
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("itc", new double[][] {{0, 10, 20, 30}, {4.0, 3.1, 2.5, 2.2}});
        series.put("itm", new double[][] {{0, 10, 20, 30}, {0.69, 0.6, Double.NaN, 0.4}});
        series.put("itg", new double[][] {{0, 10, 20, 30}, {9.0, 6.0, 0.0, 3.0}});
        return series;
    }

    @Test
    void lossCurvesSaveAsPngOfTheStandardSize(@TempDir Path dir) throws IOException {
        XYChart chart = Charts.lossCurves("stage 1 losses", losses());
        Path file = dir.resolve("plots/loss.png");

        Charts.savePng(chart, file);

        assertPngOfSize(Files.readAllBytes(file), 800, 500);
        assertEquals(List.of("itc", "itm", "itg"), chart.getSeriesMap().values().stream()
                .filter(XYSeries::isShowInLegend).map(XYSeries::getName).toList());
        assertEquals(3, chart.getSeriesMap().get("itm").getXData().length, "the NaN point is dropped");
    }

    @Test
    void equallySpacedStepsGetAHiddenPointThatBreaksTheSpacingInsideTheRange() {
        // XChart ticks every n-th point of equally spaced x values, and the labels then run together
        XYChart chart = Charts.lossCurves("steps", Map.of("total", new double[][] {{1, 2, 3, 4}, {4, 3, 2, 1}}));
        XYSeries anchor = chart.getSeriesMap().get(Charts.STEP_TICKS);
        assertArrayEquals(new double[] {1.5}, anchor.getXData());
        assertArrayEquals(new double[] {4}, anchor.getYData(), "on the first point's level: the y range is unchanged");
        assertFalse(anchor.isShowInLegend());
        assertEquals(SeriesMarkers.NONE, anchor.getMarker());
        assertEquals(SeriesLines.NONE, anchor.getLineStyle());
        // a single point has no spacing to break
        assertNull(Charts.lossCurves("one", Map.of("x", new double[][] {{1}, {1}})).getSeriesMap().get(Charts.STEP_TICKS));
    }

    @Test
    void aValidationCurveMarksItsPointsAndAStepCurveDoesNot() {
        double[] steps = new double[200];
        double[] loss = new double[200];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = i + 1;
            loss[i] = 1.0 / (i + 1);
        }
        Map<String, double[][]> curves = new LinkedHashMap<>();
        curves.put("every step", new double[][] {steps, loss});
        curves.put("validation", new double[][] {{150, 300, 450, 600, 750, 900}, {0.54, 0.55, 0.55, 0.57, 0.57, 0.57}});
        XYChart chart = Charts.lossCurves("curves", curves);
        assertEquals(SeriesMarkers.NONE, chart.getSeriesMap().get("every step").getMarker());
        assertEquals(SeriesMarkers.CIRCLE, chart.getSeriesMap().get("validation").getMarker());
    }

    @Test
    void logLossCurvesDropNonPositivePoints() throws IOException {
        XYChart chart = Charts.lossCurves("log", losses(), true);
        assertEquals(3, chart.getSeriesMap().get("itg").getYData().length);
        assertPngOfSize(Charts.toPngBytes(chart), 800, 500);
    }

    @Test
    void lossCurvesRejectMisshapenSeries() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Charts.lossCurves("bad", Map.of("itc", new double[][] {{0, 1}, {1}})));
        assertTrue(e.getMessage().contains("itc"));
    }

    @Test
    void svgContainsAnSvgElement(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("loss.svg");
        Charts.saveSvg(Charts.lossCurves("stage 1 losses", losses()), file);
        String svg = Files.readString(file, StandardCharsets.UTF_8);
        assertTrue(svg.contains("<svg"), svg.substring(0, Math.min(200, svg.length())));
    }

    @Test
    void barsWithErrorsRenderGroupedBars() throws IOException {
        Map<String, double[]> means = new LinkedHashMap<>();
        means.put("q-former", new double[] {0.4, 0.7, 0.8});
        means.put("linear", new double[] {0.2, 0.5, 0.6});
        Map<String, double[]> stds = Map.of("q-former", new double[] {0.02, 0.03, 0.01});

        CategoryChart chart = Charts.barsWithErrors("retrieval", List.of("R@1", "R@5", "R@10"),
                means, stds, "recall");

        assertEquals(2, chart.getSeriesMap().size());
        assertTrue(chart.getSeriesMap().get("q-former").getExtraValues() != null);
        assertPngOfSize(Charts.toPngBytes(chart), 800, 500);
        assertTrue(Charts.toSvg(chart).contains("<svg"));
    }

    @Test
    void barsRejectAWrongNumberOfValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Charts.barsWithErrors("x", List.of("a", "b"), Map.of("v", new double[] {1}), null, "y"));
        assertTrue(e.getMessage().contains("expected 2"), e.getMessage());
    }

    @Test
    void metricVsAxisDrawsLinesWithErrorBars() throws IOException {
        double[] queries = {4, 8, 16, 32};
        XYChart chart = Charts.metricVsAxis("R@1 vs queries", "num queries", queries,
                Map.of("R@1", new double[] {0.3, 0.4, 0.45, 0.47}),
                Map.of("R@1", new double[] {0.02, 0.02, 0.01, 0.01}));

        assertEquals("num queries", chart.getXAxisTitle());
        assertPngOfSize(Charts.toPngBytes(chart), 800, 500);
    }

    @Test
    void recallBarsNameCategoriesByK() throws IOException {
        CategoryChart chart = Charts.recallBars("text to image", new int[] {1, 5, 10},
                Map.of("q32", new double[] {0.5, 0.8, 0.9}));
        assertEquals(List.of("R@1", "R@5", "R@10"), chart.getSeriesMap().get("q32").getXData());
        assertPngOfSize(Charts.toPngBytes(chart), 800, 500);
    }
}
