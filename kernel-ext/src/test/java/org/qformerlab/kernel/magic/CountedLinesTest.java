package org.qformerlab.kernel.magic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.qformerlab.kernel.display.DisplaySink;
import org.qformerlab.kernel.display.ProgressDisplay;

/** The library's counted progress lines become bars; every other line is passed on. */
class CountedLinesTest {

    private final List<String> ids = new ArrayList<>();
    private final List<ProgressDisplay.Snapshot> shown = new ArrayList<>();
    private final DisplaySink sink = new DisplaySink() {
        @Override
        public String display(Object value) {
            ids.add("bar" + ids.size());
            shown.add((ProgressDisplay.Snapshot) value);
            return ids.get(ids.size() - 1);
        }

        @Override
        public void update(String displayId, Object value) {
            ids.add(displayId);
            shown.add((ProgressDisplay.Snapshot) value);
        }
    };

    @Test
    void pretrainingAndFeatureLinesDriveOneBarEachOthersPassOn() {
        List<String> passed = new ArrayList<>();
        CountedLines lines = new CountedLines(sink, passed::add, 0);
        lines.accept("data: shapes world, 96 train / 16 val / 24 test / 24 compositional images, 3 captions each");
        lines.accept("vision pretraining step 200/200 | reconstruction 0.0123 | lr 1.0e-04 | 310.2 images/s");
        lines.accept("vision features 512/2800 images | 900 images/s");
        lines.accept("vision features 2800/2800 images | 950 images/s");
        lines.accept("step 3/6 | loss 2.1"); // the trainer's own lines are the caller's to filter
        lines.accept("evaluation 0/604 units | test split");
        lines.accept("evaluation 302/604 units | compositional split");

        assertEquals(List.of("data: shapes world, 96 train / 16 val / 24 test / 24 compositional images, 3 captions each",
                "step 3/6 | loss 2.1"), passed);
        ProgressDisplay.Snapshot pretraining = shown.get(1);
        assertEquals("vision pretraining", pretraining.label());
        assertTrue(pretraining.finished() && pretraining.done() == 200, pretraining.toString());
        assertEquals("reconstruction 0.0123 | lr 1.0e-04 | 310.2 images/s", pretraining.message());
        ProgressDisplay.Snapshot features = shown.get(4);
        assertEquals("vision features", features.label());
        assertTrue(features.finished() && features.done() == 2800 && features.total() == 2800, features.toString());
        ProgressDisplay.Snapshot evaluation = shown.get(shown.size() - 1);
        assertEquals("evaluation", evaluation.label());
        assertEquals(302, evaluation.done());
        assertEquals("compositional split", evaluation.message(), "the unit word is dropped");
        assertEquals(List.of("bar0", "bar0", "bar2", "bar2", "bar2", "bar5", "bar5", "bar5"), ids,
                "one bar per label, updated in place");
    }

    @Test
    void aBarLeftRunningIsMarkedStopped() {
        CountedLines lines = new CountedLines(sink, line -> { });
        lines.accept("language pretraining step 5/20 | next-token loss 3.2 | lr 1e-3 | 4.0 steps/s");
        lines.stopAll("stopped: interrupted");
        ProgressDisplay.Snapshot last = shown.get(shown.size() - 1);
        assertTrue(last.finished() && last.done() == 5, last.toString());
        assertEquals("stopped: interrupted", last.message());
    }
}
