package org.qformerlab.kernel.magic;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.qformerlab.kernel.display.Notebook;

/**
 * How training magics shrink their work when the notebook runs under {@code QFORMERLAB_QUICK=1} (the
 * test suite executes every notebook that way): the same cells and code path on a world of a few
 * dozen images for a few steps, so a notebook finishes in seconds. The magic prints that it did so.
 */
final class QuickScale {

    /** Steps at most, under quick mode. */
    static final int MAX_STEPS = 6;

    private QuickScale() {}

    static boolean active() {
        return Notebook.quick();
    }

    /**
     * The dotted-path overrides of a stage-1 experiment config in quick mode: a small world, few
     * steps, validation once, a short ITM re-ranking list.
     *
     * @param steps the steps asked for (kept when already fewer)
     */
    static Map<String, String> stage1(int steps) {
        int s = Math.min(steps, MAX_STEPS);
        Map<String, String> o = new LinkedHashMap<>();
        o.put("data.trainCount", "96");
        o.put("data.valCount", "16");
        o.put("data.testCount", "24");
        o.put("data.compositionalCount", "24");
        o.put("train.steps", String.valueOf(s));
        o.put("train.warmupSteps", "1");
        o.put("train.evalEvery", String.valueOf(Math.max(1, s / 2)));
        o.put("train.checkpointEvery", "0");
        o.put("train.logEvery", "1");
        o.put("eval.rerankK", "4");
        return o;
    }

    /**
     * The dotted-path overrides of a stage-2 experiment config in quick mode: the quick world of
     * {@link #stage1}, few steps, a frozen LM pretrained briefly (its own cache entry), 16 test
     * images captioned and questioned.
     *
     * @param steps the stage-2 steps asked for (kept when already fewer)
     */
    static Map<String, String> stage2(int steps) {
        int s = Math.min(steps, MAX_STEPS);
        Map<String, String> o = new LinkedHashMap<>();
        stage1(s).forEach((path, value) -> {
            if (path.startsWith("data.")) {
                o.put(path, value);
            }
        });
        o.put("stage2.language.steps", "20");
        o.put("stage2.language.warmupSteps", "2");
        o.put("stage2.train.steps", String.valueOf(s));
        o.put("stage2.train.warmupSteps", "1");
        o.put("stage2.train.evalEvery", "0");
        o.put("stage2.train.checkpointEvery", "0");
        o.put("stage2.train.logEvery", "1");
        o.put("stage2.evalImages", "16");
        o.put("stage2.examples", "4");
        return o;
    }

    /**
     * The folder a quick-mode run writes to: {@code runs/tests/<name>}, emptied first, so that test
     * runs neither pile up (a checkpoint is tens of megabytes) nor reuse (skip) an earlier run.
     */
    static Path freshFolder(String name) throws IOException {
        Path folder = Path.of("runs", "tests", name);
        if (Files.isDirectory(folder)) {
            try (Stream<Path> files = Files.walk(folder)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        return folder;
    }

    static String note(Map<String, String> overrides) {
        return "QFORMERLAB_QUICK is set (the test suite): " + Overrides.describe(overrides);
    }
}
