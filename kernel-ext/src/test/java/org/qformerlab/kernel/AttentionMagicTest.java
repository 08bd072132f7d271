package org.qformerlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qformerlab.blip2.report.Heatmap;
import org.qformerlab.blip2.report.ImageGrid;
import org.qformerlab.kernel.magic.MagicUsageException;

/** %attention on a tiny stage-1 run trained in the session (seconds). */
class AttentionMagicTest extends SessionTest {

    @TempDir
    static Path dir;

    @Test
    void drawsWhereTheQueriesLookAndBindsTheWeights() {
        MagicUsageException none = assertThrows(MagicUsageException.class, () -> session.execute("%attention"));
        assertEquals("no stage-1 run in this notebook yet: run %train stage1 first, or name a run folder",
                none.getMessage());

        session.execute("%%config experiment --preset tiny\ntrain: {steps: 3}\n");
        Path run = dir.resolve("run");
        session.execute("%train stage1 --steps 3 --out " + run + " --as tinyRun");

        int grids = sink.displayed(ImageGrid.class).size();
        int heatmaps = sink.displayed(Heatmap.class).size();
        String printed = printedBy("%attention --images 0,2");
        assertTrue(printed.startsWith("Where the queries of run (step-000003) look, test images 0, 2. Cross-attention of"
                + " layer 0 (red = more weight); a query's entropy over the "), printed);
        assertEquals(grids + 1, sink.displayed(ImageGrid.class).size(), "one grid: images x queries");
        assertEquals(heatmaps + 2, sink.displayed(Heatmap.class).size(), "one ITM heatmap per image");

        int q = (Integer) value("attention.numQueries()");
        assertEquals(List.of(1, 2, q), List.of(value("attention.cross().length"), value("attention.cross()[0].length"),
                value("attention.cross()[0][0].length")), "[cross layers][images][queries][patches]");
        double sum = ((Number) value("double s = 0; for (float w : attention.cross()[0][1][0]) s += w; s")).doubleValue();
        assertEquals(1.0, sum, 1e-5, "a query's weights sum to 1 over the patches");

        // bad calls: one line each, naming the problem
        MagicUsageException range = assertThrows(MagicUsageException.class,
                () -> session.execute("%attention --images 0,999"));
        assertTrue(range.getMessage().matches("image 999 is out of range: the test split has \\d+ images \\(0-\\d+\\)"),
                range.getMessage());
        MagicUsageException unknown = assertThrows(MagicUsageException.class,
                () -> session.execute("%attention " + dir.resolve("no-such-run")));
        assertEquals("no run folder " + dir.resolve("no-such-run").toAbsolutePath() + "; name a folder that %train stage1"
                + " or qformerlab train made (it holds config.json and checkpoints/)", unknown.getMessage());
        MagicUsageException layer = assertThrows(MagicUsageException.class,
                () -> session.execute("%attention --layer 1"));
        assertEquals("layer 1 has no cross-attention; the cross-attending layers are 0", layer.getMessage());
        MagicUsageException images = assertThrows(MagicUsageException.class,
                () -> session.execute("%attention --images first"));
        assertEquals("--images takes image indices like 0,1,2; got 'first'", images.getMessage());
        for (MagicUsageException e : List.of(none, range, unknown, layer, images)) {
            assertTrue(!e.getMessage().contains("\n") && e.usage().startsWith("%attention"), e.getMessage());
        }
    }

    private String printedBy(String cell) {
        PrintStream before = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            session.execute(cell);
        } finally {
            System.setOut(before);
        }
        return out.toString(StandardCharsets.UTF_8).trim();
    }
}
