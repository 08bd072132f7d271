package org.qformerlab.kernel.display;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;

/** Progress bars and live plots update one display in place. */
class UpdatingDisplaysTest {

    /** Keeps the display ids and the values shown under them. */
    static final class Sink implements DisplaySink {
        final List<String> ids = new ArrayList<>();
        final List<Object> values = new ArrayList<>();

        @Override
        public String display(Object value) {
            ids.add("id" + ids.size());
            values.add(value);
            return ids.get(ids.size() - 1);
        }

        @Override
        public void update(String displayId, Object value) {
            ids.add(displayId);
            values.add(value);
        }
    }

    @Test
    void progressBarUpdatesItsOwnDisplay() {
        Sink sink = new Sink();
        long[] now = {0};
        ProgressDisplay bar = ProgressDisplay.start(sink, "stage 1", 10, 0, () -> now[0]);
        now[0] = 40_000_000_000L; // 5 of 10 in 40 s: 40 s to go
        bar.update(5, "loss 2.31");
        now[0] = 130_000_000_000L;
        bar.finish("done");
        assertEquals(List.of("id0", "id0", "id0"), sink.ids);
        assertEquals("stage 1 [..............................] 0/10 (0%)", sink.values.get(0).toString(),
                "no estimate before any work is done");
        ProgressDisplay.Snapshot half = (ProgressDisplay.Snapshot) sink.values.get(1);
        assertEquals("stage 1 [###############...............] 5/10 (50%) ETA 40s loss 2.31", half.toString());
        assertEquals("stage 1 [##############################] 10/10 (100%) in 2m10s done",
                sink.values.get(2).toString());
        assertEquals("x [###############...............] 1/2 (50%) loss 1 | ETA 3s",
                new ProgressDisplay.Snapshot("x", 1, 2, "loss 1 | ETA 3s", false, "ETA 9s").toString(),
                "a message with its own ETA (the trainer's) is not given a second");
        assertTrue(half.html().contains("<progress value=\"5\" max=\"10\""), half.html());
        assertEquals(10, ((ProgressDisplay.Snapshot) sink.values.get(2)).done());
    }

    @Test
    void durationsReadAsSecondsMinutesOrHours() {
        assertEquals("0s", ProgressDisplay.duration(0.2));
        assertEquals("59s", ProgressDisplay.duration(59.4));
        assertEquals("1m05s", ProgressDisplay.duration(65));
        assertEquals("2h03m", ProgressDisplay.duration(2 * 3600 + 3 * 60 + 20));
    }

    @Test
    void progressBarThrottlesButAlwaysDrawsTheEnd() {
        Sink sink = new Sink();
        ProgressDisplay bar = ProgressDisplay.start(sink, "fast", 1000, 60_000);
        for (int i = 1; i <= 1000; i++) {
            bar.update(i, "");
        }
        bar.finish("done");
        assertEquals(3, sink.values.size(), "start, first update, finish: " + sink.values);
        assertThrows(IllegalArgumentException.class, () -> ProgressDisplay.start(sink, "x", 0, 0));
    }

    @Test
    void escapesHtmlInLabels() {
        Sink sink = new Sink();
        ProgressDisplay bar = ProgressDisplay.start(sink, "<b>", 2, 0);
        assertTrue(bar.snapshot().html().contains("&lt;b&gt;"));
    }

    @Test
    void livePlotRedrawsTheCurvesInPlace() {
        Sink sink = new Sink();
        LivePlot plot = LivePlot.start(sink, "losses", false, 0);
        plot.add("itc", 1, 2.0);
        plot.addAll(2, Map.of("itc", 1.5, "itm", 0.7));
        plot.finish();
        assertEquals(List.of("id0", "id0", "id0", "id0"), sink.ids);
        assertInstanceOf(String.class, sink.values.get(0), "an empty plot is a line of text");
        XYChart last = assertInstanceOf(XYChart.class, sink.values.get(3));
        assertEquals(2, last.getSeriesMap().get("itc").getXData().length);
        assertEquals(1, last.getSeriesMap().get("itm").getXData().length);
        assertEquals(2, plot.size("itc"));
    }

    @Test
    void trainingDisplayDrivesABarAndALossPlot() {
        Sink sink = new Sink();
        TrainingDisplay display = TrainingDisplay.on(sink, "stage 1", 0, 0);
        for (int step = 1; step <= 3; step++) {
            display.onStep(new org.qformerlab.blip2.train.Trainer.StepReport(step, 3,
                    Map.of("total", 3.0 / step), 1e-4, 1.0, 10.0, 3 - step));
        }
        display.onEvaluation(3, Map.of("r@1", 0.5));
        List<String> distinct = sink.ids.stream().distinct().toList();
        assertEquals(3, distinct.size(), "bar, loss plot, evaluation plot: " + sink.ids);
        ProgressDisplay.Snapshot last = null;
        XYChart losses = null;
        for (int i = 0; i < sink.values.size(); i++) {
            if (sink.values.get(i) instanceof ProgressDisplay.Snapshot s) {
                last = s;
            } else if (sink.ids.get(i).equals(distinct.get(1)) && sink.values.get(i) instanceof XYChart c) {
                losses = c;
            }
        }
        assertTrue(last.finished() && last.done() == 3, last.toString());
        assertEquals(3, losses.getSeriesMap().get("total").getXData().length);
    }
}
