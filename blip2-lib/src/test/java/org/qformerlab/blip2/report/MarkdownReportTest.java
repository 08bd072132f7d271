package org.qformerlab.blip2.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MarkdownReportTest {

    /** {@code ![alt](target)}, where alt may hold backslash-escaped brackets. */
    private static final Pattern IMAGE_LINK = Pattern.compile("!\\[(?:\\\\.|[^\\]\\\\])*\\]\\(([^)]+)\\)");

    @Test
    void rendersBlocksInOrder() {
        MarkdownReport report = new MarkdownReport("Ablation: queries")
                .heading(2, "Setup")
                .paragraph("Three *seeds* per setting.")
                .bullets("8 queries", "32 queries")
                .table(Tables.fromRows(List.of(TablesTest.row("queries", 8, "r1", 0.5))))
                .code("yaml", "numQueries: 8");

        assertEquals("""
                # Ablation: queries

                ## Setup

                Three *seeds* per setting.

                - 8 queries
                - 32 queries

                | queries | r1 |
                | ---: | ---: |
                | 8 | 0.5 |

                ```yaml
                numQueries: 8
                ```
                """, report.toMarkdown());
    }

    @Test
    void codeFencesOutgrowBackticksInTheCode() {
        String markdown = new MarkdownReport("t").code("", "a ``` b").toMarkdown();
        assertTrue(markdown.contains("````\na ``` b\n````\n"), markdown);
    }

    @Test
    void headingLevelsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new MarkdownReport("t").heading(7, "x"));
    }

    @Test
    void writtenReportLinksImagesThatExist(@TempDir Path dir) throws IOException {
        BufferedImage mask = Heatmap.ofMask(HeatmapTest.itgMask(2, 2)).render();
        MarkdownReport report = new MarkdownReport("Masks and losses")
                .image("ITG mask [causal]", mask)
                .chart("Loss curves", Charts.lossCurves("loss", Map.of("itc", new double[][] {{0, 1}, {2, 1}})));
        Path folder = dir.resolve("reports/run-1");

        Path written = report.write(folder);

        assertEquals(folder.resolve("report.md"), written);
        String markdown = Files.readString(written);
        assertTrue(markdown.contains("![ITG mask \\[causal\\]](fig-01-itg-mask-causal.png)"), markdown);
        List<String> links = new ArrayList<>();
        Matcher m = IMAGE_LINK.matcher(markdown);
        while (m.find()) {
            links.add(m.group(1));
        }
        assertEquals(report.figureFiles(), links);
        assertEquals(List.of("fig-01-itg-mask-causal.png", "fig-02-loss-curves.png"), links);
        for (String link : links) {
            Path image = folder.resolve(link);
            assertTrue(Files.isRegularFile(image), link);
            assertArrayEquals(ChartsTest.PNG_MAGIC, Arrays.copyOf(Files.readAllBytes(image), 8));
        }
        try (Stream<Path> files = Files.list(folder)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temp files left");
        }
    }

    @Test
    void rewritingReplacesTheReport(@TempDir Path dir) throws IOException {
        new MarkdownReport("first").write(dir);
        new MarkdownReport("second").write(dir);
        assertEquals("# second\n", Files.readString(dir.resolve(MarkdownReport.FILE_NAME)));
    }

    @Test
    void slugsAreSafeFileNames() {
        assertEquals("r-1-vs-queries", MarkdownText.slug("R@1 vs. queries!"));
        assertEquals("figure", MarkdownText.slug("***"));
    }
}
