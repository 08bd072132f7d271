package org.qformerlab.kernel.display;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import javax.imageio.ImageIO;
import org.dflib.jjava.jupyter.kernel.display.RenderContext;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.knowm.xchart.internal.chartpart.Chart;
import org.qformerlab.blip2.qformer.AttentionMask;
import org.qformerlab.blip2.qformer.Blip2QFormer;
import org.qformerlab.blip2.report.Charts;
import org.qformerlab.blip2.report.Heatmap;
import org.qformerlab.blip2.report.ImageGrid;
import org.qformerlab.blip2.report.MaskHeatmaps;
import org.qformerlab.blip2.report.Tables;
import tech.tablesaw.api.Table;

/**
 * How the project's objects look in a notebook. Registered on the kernel's renderer, used for
 * {@code display(x)} and for the value of a cell's last expression:
 *
 * <ul>
 *   <li>XChart charts: {@code image/png} (and {@code image/svg+xml} on request);
 *   <li>Tablesaw tables: {@code text/html} and {@code text/plain} (the first {@value #MAX_ROWS} rows);
 *   <li>attention masks: a labelled heatmap PNG, and the text drawing of {@code toString()};
 *   <li>heatmaps and image grids: PNG;
 *   <li>a Q-Former: its parameter table;
 *   <li>progress bars: HTML {@code <progress>}.
 * </ul>
 * ({@code BufferedImage} as PNG comes with the Jupyter library.)
 */
public final class RichRenderers {

    static final int MAX_ROWS = 200;

    private static final MIMEType PNG = MIMEType.IMAGE_PNG;
    private static final MIMEType SVG = MIMEType.IMAGE_SVG;
    private static final MIMEType HTML = MIMEType.TEXT_HTML;
    private static final MIMEType PLAIN = MIMEType.TEXT_PLAIN;

    private RichRenderers() {}

    public static void registerAll(Renderer renderer) {
        renderer.createRegistration(Chart.class).preferring(PNG).supporting(SVG).register(RichRenderers::chart);
        renderer.createRegistration(Table.class).preferring(HTML, PLAIN).register(RichRenderers::table);
        renderer.createRegistration(AttentionMask.class).preferring(PNG, PLAIN)
                .register((mask, ctx) -> {
                    ctx.renderIfRequested(PNG, () -> png(MaskHeatmaps.render(mask)));
                    ctx.renderIfRequested(PLAIN, mask::toString);
                });
        renderer.createRegistration(Heatmap.class).preferring(PNG)
                .register((h, ctx) -> ctx.renderIfRequested(PNG, () -> png(h.render())));
        renderer.createRegistration(ImageGrid.class).preferring(PNG, PLAIN)
                .register((g, ctx) -> {
                    ctx.renderIfRequested(PNG, () -> png(g.render()));
                    ctx.renderIfRequested(PLAIN, () -> "an image grid (shown as image/png)");
                });
        renderer.createRegistration(Blip2QFormer.class).preferring(HTML, PLAIN)
                .register((model, ctx) -> table(ParameterSummary.of(model).table(), ctx));
        renderer.createRegistration(ParameterSummary.class).preferring(HTML, PLAIN)
                .register((summary, ctx) -> table(summary.table(), ctx));
        renderer.createRegistration(ProgressDisplay.Snapshot.class).preferring(HTML, PLAIN)
                .register((bar, ctx) -> {
                    ctx.renderIfRequested(HTML, bar::html);
                    ctx.renderIfRequested(PLAIN, bar::toString);
                });
    }

    private static void chart(Chart<?, ?> chart, RenderContext ctx) {
        ctx.renderIfRequested(PNG, () -> {
            try {
                return Base64.getEncoder().encodeToString(Charts.toPngBytes(chart));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot draw the chart as PNG", e);
            }
        });
        ctx.renderIfRequested(SVG, () -> {
            try {
                return Charts.toSvg(chart);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot draw the chart as SVG", e);
            }
        });
        ctx.renderIfRequested(PLAIN, () -> "chart: " + chart.getTitle());
    }

    private static void table(Table table, RenderContext ctx) {
        Table shown = table.rowCount() > MAX_ROWS ? table.first(MAX_ROWS) : table;
        String more = table.rowCount() > MAX_ROWS
                ? "(first " + MAX_ROWS + " of " + table.rowCount() + " rows)"
                : "";
        ctx.renderIfRequested(HTML, () -> Tables.toHtml(shown) + (more.isEmpty() ? "" : "<p>" + more + "</p>"));
        ctx.renderIfRequested(PLAIN, () -> shown.printAll() + (more.isEmpty() ? "" : "\n" + more));
    }

    /** Base64 PNG, as Jupyter's image/png wants it. */
    static String png(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode the image as PNG", e);
        }
        return Base64.getEncoder().encodeToString(out.toByteArray());
    }
}
