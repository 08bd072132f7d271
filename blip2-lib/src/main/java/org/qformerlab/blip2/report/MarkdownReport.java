package org.qformerlab.blip2.report;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.internal.chartpart.Chart;
import tech.tablesaw.api.Table;
import org.qformerlab.blip2.checkpoint.AtomicFiles;

/**
 * Builds a Markdown report — headings, paragraphs, lists, tables, figures, code — and writes it to a
 * folder as {@code report.md} next to its PNG figures, which it links by relative path.
 *
 * <pre>{@code
 * new MarkdownReport("Ablation: number of queries")
 *         .paragraph("Three seeds per setting.")
 *         .table(Tables.meanAndSpread(runs, List.of("queries"), List.of("r1")))
 *         .chart("R@1 vs queries", Charts.metricVsAxis(...))
 *         .write(Path.of("ablations/reports/queries"));
 * }</pre>
 *
 * <p>Figures are encoded when the report is written. {@link #write(Path)} writes the figures first and
 * {@code report.md} last, each atomically (temp file + rename), so a reader never sees a half-written
 * report or a link to a missing figure.
 */
public final class MarkdownReport {

    /** The name of the Markdown file {@link #write(Path)} creates. */
    public static final String FILE_NAME = "report.md";

    /** Something that can produce PNG bytes when the report is written. */
    @FunctionalInterface
    private interface PngSource {
        byte[] png() throws IOException;
    }

    private record Figure(String fileName, PngSource source) {
    }

    private final StringBuilder markdown = new StringBuilder();
    private final List<Figure> figures = new ArrayList<>();

    /** Starts a report with a level-1 title. */
    public MarkdownReport(String title) {
        markdown.append("# ").append(MarkdownText.oneLine(title)).append('\n');
    }

    /** Adds a heading of level 1 to 6. */
    public MarkdownReport heading(int level, String text) {
        if (level < 1 || level > 6) {
            throw new IllegalArgumentException("heading level must be 1..6: " + level);
        }
        return block("#".repeat(level) + " " + MarkdownText.oneLine(text) + "\n");
    }

    /** Adds a paragraph; its text is Markdown (emphasis, links and inline code work). */
    public MarkdownReport paragraph(String text) {
        return block(text.strip() + "\n");
    }

    /** Adds a bullet list, one item per entry. */
    public MarkdownReport bullets(List<String> items) {
        StringBuilder list = new StringBuilder();
        for (String item : items) {
            list.append("- ").append(MarkdownText.oneLine(item)).append('\n');
        }
        return block(list.toString());
    }

    /** Adds a bullet list, one item per argument. */
    public MarkdownReport bullets(String... items) {
        return bullets(List.of(items));
    }

    /** Adds a table rendered by {@link Tables#toMarkdown(Table)}. */
    public MarkdownReport table(Table table) {
        return block(Tables.toMarkdown(table));
    }

    /** Adds a figure from an image (a heatmap, an image grid, ...). */
    public MarkdownReport image(String altText, BufferedImage image) {
        return figure(altText, () -> PngImages.encode(image));
    }

    /** Adds a figure from PNG bytes. */
    public MarkdownReport image(String altText, byte[] png) {
        byte[] copy = png.clone();
        return figure(altText, () -> copy);
    }

    /** Adds a chart as a PNG figure. */
    public MarkdownReport chart(String altText, Chart<?, ?> chart) {
        return figure(altText, () -> Charts.toPngBytes(chart));
    }

    /** Adds a fenced code block; {@code language} may be empty. */
    public MarkdownReport code(String language, String code) {
        String fence = MarkdownText.fenceFor(code);
        String body = code.endsWith("\n") ? code : code + "\n";
        return block(fence + (language == null ? "" : language.strip()) + "\n" + body + fence + "\n");
    }

    /** The report's Markdown text so far. */
    public String toMarkdown() {
        return markdown.toString();
    }

    /** The file names of the figures, in order, as {@link #write(Path)} creates them. */
    public List<String> figureFiles() {
        return figures.stream().map(Figure::fileName).toList();
    }

    /**
     * Writes the figures and {@code report.md} into {@code folder}, creating it if needed.
     *
     * @return the path of {@code report.md}
     */
    public Path write(Path folder) throws IOException {
        Files.createDirectories(folder);
        for (Figure figure : figures) {
            AtomicFiles.write(folder.resolve(figure.fileName()), figure.source().png());
        }
        Path report = folder.resolve(FILE_NAME);
        AtomicFiles.write(report, toMarkdown().getBytes(StandardCharsets.UTF_8));
        return report;
    }

    private MarkdownReport figure(String altText, PngSource source) {
        String fileName = String.format(Locale.ROOT, "fig-%02d-%s.png", figures.size() + 1,
                MarkdownText.slug(altText));
        figures.add(new Figure(fileName, source));
        return block("![" + MarkdownText.altText(altText) + "](" + fileName + ")\n");
    }

    private MarkdownReport block(String text) {
        markdown.append('\n').append(text);
        return this;
    }
}
