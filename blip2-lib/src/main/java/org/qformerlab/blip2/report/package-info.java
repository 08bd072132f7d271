/**
 * Reports: Tablesaw tables, XChart charts, heatmaps, image grids and Markdown reports, the last stop
 * of the data flow (data -> encoder -> bridge -> objectives -> trainer -> eval -> report). Shared by
 * the CLI, the Jupyter kernel and the ablation runner.
 *
 * <ul>
 *   <li>{@link org.qformerlab.blip2.report.Tables} builds Tablesaw tables from row maps, renders them as
 *       Markdown, HTML or CSV, and aggregates repeated runs ({@code meanAndSpread}).</li>
 *   <li>{@link org.qformerlab.blip2.report.Charts} builds styled XChart charts (loss curves, bars with
 *       error bars, metric-versus-axis lines) and saves them as PNG or SVG.</li>
 *   <li>{@link org.qformerlab.blip2.report.Heatmap} draws a labelled matrix, e.g. an ITC/ITG/ITM
 *       attention mask.</li>
 *   <li>{@link org.qformerlab.blip2.report.ImageGrid} lays out images with captions.</li>
 *   <li>{@link org.qformerlab.blip2.report.MarkdownReport} assembles all of the above into a
 *       {@code report.md} with its images.</li>
 *   <li>{@link org.qformerlab.blip2.train.MetricsLog} is the JSON-lines log trainers write and
 *       reports read.</li>
 * </ul>
 *
 * <p>Everything here renders off-screen: classes that draw set {@code java.awt.headless=true} unless
 * the property was already set.
 */
package org.qformerlab.blip2.report;
