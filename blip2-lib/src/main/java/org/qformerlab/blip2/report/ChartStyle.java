package org.qformerlab.blip2.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;

/**
 * The one look of every chart in QFormer Lab: 800x500, white background, light grid, legend below
 * the plot in a row, and the colour-blind-safe Okabe-Ito palette.
 */
final class ChartStyle {

    static final int WIDTH = 800;
    static final int HEIGHT = 500;

    /** Okabe-Ito colours, ordered for contrast on white (its yellow is left out: too pale). */
    static final Color[] PALETTE = {
        new Color(0x0072B2), new Color(0xD55E00), new Color(0x009E73), new Color(0xE69F00),
        new Color(0xCC79A7), new Color(0x56B4E9), new Color(0x000000), new Color(0x8C6D31),
    };

    private static final Color GRID = new Color(0xE0E0E0);
    private static final Color TEXT = new Color(0x222222);

    private ChartStyle() {
    }

    static void apply(AxesChartStyler styler) {
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setPlotBorderVisible(false);
        styler.setPlotGridLinesColor(GRID);
        styler.setPlotGridLinesStroke(new BasicStroke(1f));
        styler.setChartFontColor(TEXT);
        styler.setAxisTickLabelsColor(TEXT);
        styler.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        styler.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        styler.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        styler.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        styler.setLegendLayout(Styler.LegendLayout.Horizontal);
        styler.setLegendBorderColor(Color.WHITE);
        styler.setLegendBackgroundColor(Color.WHITE);
        styler.setSeriesColors(PALETTE);
        styler.setErrorBarsColorSeriesColor(true);
        styler.setMarkerSize(6);
        styler.setChartPadding(12);
        styler.setAntiAlias(true);
    }
}
