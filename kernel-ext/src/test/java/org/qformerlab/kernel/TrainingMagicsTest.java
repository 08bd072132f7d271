package org.qformerlab.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qformerlab.kernel.display.ProgressDisplay;
import org.qformerlab.kernel.jshell.JavaEvaluator;
import org.qformerlab.kernel.magic.MagicUsageException;
import org.qformerlab.kernel.magic.Magics;
import org.knowm.xchart.XYChart;
import tech.tablesaw.api.Table;

/** %train, %eval and %ablate in a session, on the tiny world (seconds). */
class TrainingMagicsTest extends SessionTest {

    @TempDir
    static Path dir;

    @Test
    void trainStage1ShowsLiveProgressAndLossesBindsTheRunAndEvalTabulatesIt() {
        session.execute("%%config experiment --preset tiny\ntrain: {steps: 4}\n");
        session.execute("%qformer tiny --queries 3 --as q3"); // the notebook's variant is what trains
        int shownBefore = sink.shown.size();
        Path out = dir.resolve("run1");
        session.execute("%train stage1 --steps 3 --set objective.itgWeight=0.5 --out " + out + " --as tinyRun");

        assertEquals(3L, ((Number) value("tinyRun.training().steps()")).longValue());
        assertEquals(0.5, (Double) value("tinyRun.config().objective().itgWeight()"), 0.0);
        assertEquals(3, value("tinyRun.config().qformer().numQueries()"));
        assertTrue(Files.isRegularFile(out.resolve("results.json")));
        List<RecordingSink.Shown> during = sink.shown.subList(shownBefore, sink.shown.size());
        // each bar (training; feature extraction and evaluation have their own) updates in place
        ProgressDisplay.Snapshot last = null;
        java.util.Map<String, String> barIds = new java.util.HashMap<>();
        for (RecordingSink.Shown s : during) {
            if (s.value() instanceof ProgressDisplay.Snapshot snap) {
                String barId = barIds.computeIfAbsent(snap.label(), label -> s.id());
                assertEquals(barId, s.id(), "the bar '" + snap.label() + "' updates in place");
                if (snap.total() == 3) {
                    last = snap; // the training bar: 3 steps
                }
            }
        }
        assertTrue(last != null && last.finished() && last.done() == 3, "the bar ends at 3/3: " + last);
        assertTrue(during.stream().anyMatch(s -> s.update() && s.value() instanceof XYChart),
                "the loss plot is redrawn in place");

        int tables = sink.displayed(Table.class).size();
        session.execute("%eval retrieval --examples 2");
        List<Table> shown = sink.displayed(Table.class);
        assertEquals(tables + 2, shown.size(), "one table per split (test, compositional)");
        Table test = shown.get(tables);
        assertEquals(List.of("direction", "hit", "ranking", "R@1", "R@5", "R@10", "R@1 vs ITC"), test.columnNames());
        assertEquals(14, test.rowCount(), "ITC, ITC+ITM, chance, a perfect scorer counted by own caption; ITC,"
                + " ITC+ITM, chance counted by true caption; both directions");
        assertEquals("perfect scorer", test.stringColumn("ranking").get(3));
        assertEquals("true caption", test.stringColumn("hit").get(5));
        assertTrue(test.doubleColumn("R@1").get(5) >= test.doubleColumn("R@1").get(1),
                "every own hit is a true hit: " + test.print());
        assertEquals("ITC + ITM (top 4)", test.stringColumn("ranking").get(1));
        assertTrue(test.stringColumn("R@1 vs ITC").get(1).matches("\\+\\d+ / -\\d+, p (= [01]\\.\\d{3}|< 0\\.001)"),
                "the re-ranking's McNemar test: " + test.stringColumn("R@1 vs ITC").get(1));
        assertEquals("", test.stringColumn("R@1 vs ITC").get(0), "only the re-ranked row is tested against ITC");
        double r1 = test.doubleColumn("R@1").get(0);
        double r10 = test.doubleColumn("R@10").get(0);
        assertTrue(r1 <= r10, "recall grows with k: " + r1 + " " + r10);
        // by hand: with c captions for each of N images, chance R@1 is c / (cN) = 1/N image->text and
        // 1/N text->image; and ITC's R@1 counts whole hits over the N images
        double chanceI2t = test.doubleColumn("R@1").get(2);
        double chanceT2i = test.doubleColumn("R@1").get(9);
        assertEquals("chance", test.stringColumn("ranking").get(9));
        assertEquals(chanceI2t, chanceT2i, 1e-12, "chance R@1 is 1/N both ways: " + test.print());
        // (the table shows three decimals)
        long images = Math.round(1 / chanceI2t);
        assertEquals(1.0 / images, chanceI2t, 5e-4, "chance R@1 is 1/N for the N test images: " + test.print());
        assertEquals(Math.rint(r1 * images) / images, r1, 5e-4, "R@1 counts whole hits over " + images + " images");
        assertFalse(sink.displayed(org.qformerlab.blip2.report.ImageGrid.class).isEmpty(), "the examples are drawn");

        // the same numbers from the run folder
        session.execute("%eval retrieval " + out + " --split test");
        Table fromFolder = sink.displayed(Table.class).get(sink.displayed(Table.class).size() - 1);
        assertEquals(test.doubleColumn("R@5").asList(), fromFolder.doubleColumn("R@5").asList());

        // the binding benchmark: a row per foil type and one over all, from the run and from its folder
        session.execute("%eval binding");
        Table binding = sink.displayed(Table.class).get(sink.displayed(Table.class).size() - 1);
        assertEquals(List.of("foils", "n", "ITC", "ITM", "ITG", "chance", "bag of words at best", "SE"),
                binding.columnNames());
        assertEquals(List.of("attribute swap", "relation swap", "count change", "size change", "all"),
                binding.stringColumn("foils").asList());
        assertEquals(0.5, binding.doubleColumn("bag of words at best").get(0), 0.0);
        assertEquals(1.0, binding.doubleColumn("bag of words at best").get(2), 0.0);
        session.execute("%eval binding " + out);
        Table bindingFromFolder = sink.displayed(Table.class).get(sink.displayed(Table.class).size() - 1);
        assertEquals(binding.doubleColumn("ITG").asList(), bindingFromFolder.doubleColumn("ITG").asList());
        session.execute("%%config experiment --preset embedded\n");
    }

    @Test
    void trainStage2FromTheNotebooksStage1RunAndFromScratchThenEvalCaptionAndVqa() throws Exception {
        session.execute("%%config experiment --preset tiny\n");
        Path stage1 = dir.resolve("s1");
        session.execute("%train stage1 --steps 2 --out " + stage1 + " --as s1");
        int shownBefore = sink.shown.size();
        Path out = dir.resolve("s2");
        session.execute("%train stage2 --steps 3 --out " + out);

        assertEquals(3L, ((Number) value("run2.training().steps()")).longValue(), "bound to run2 by default");
        assertEquals("STAGE1", value("run2.init().name()"));
        assertEquals(stage1.resolve("checkpoints/step-000002").toString(), value("run2.stage1Checkpoint().toString()"));
        assertTrue(Files.isRegularFile(out.resolve("results.json")));
        // the training bar ends at 3/3; the evaluation's bar (captions, answers, the LM reading the true
        // captions, the image's worth) updates in place from 0 to its total
        Map<String, List<RecordingSink.Shown>> bars = bars(shownBefore);
        ProgressDisplay.Snapshot training = last(bars.get("stage 2 (from stage 1)"));
        assertTrue(training.finished() && training.done() == 3, "the bar ends at 3/3: " + training);
        List<RecordingSink.Shown> evaluation = bars.get("evaluation");
        assertTrue(evaluation != null && evaluation.size() >= 2, "an evaluation bar: " + bars.keySet());
        assertEquals(0, ((ProgressDisplay.Snapshot) evaluation.get(0).value()).done());
        assertTrue(evaluation.stream().allMatch(s -> s.id().equals(evaluation.get(0).id())), "updated in place");
        ProgressDisplay.Snapshot evaluated = last(evaluation);
        assertTrue(evaluated.finished() && evaluated.done() == evaluated.total() && evaluated.total() > 16,
                "4 units a caption and 9 an image's worth for each of the 6 images, and the questions: " + evaluated);

        int tables = sink.displayed(Table.class).size();
        int grids = sink.displayed(org.qformerlab.blip2.report.ImageGrid.class).size();
        session.execute("%eval caption");
        Table caption = sink.displayed(Table.class).get(tables);
        assertEquals(List.of("Q-Former from", "BLEU-4", "CIDEr-D", "colour correct", "shape correct",
                "relation correct", "LM loss first", "LM loss last"), caption.columnNames());
        double bleu = caption.doubleColumn("BLEU-4").get(0);
        assertEquals(Math.round((Double) value("run2.bleu4()") * 1000) / 1000.0, bleu, 0.0);
        assertEquals(grids + 1, sink.displayed(org.qformerlab.blip2.report.ImageGrid.class).size(),
                "samples with generated and reference captions");

        session.execute("%eval vqa");
        Table vqa = sink.displayed(Table.class).get(sink.displayed(Table.class).size() - 1);
        assertEquals(List.of("question type", "questions", "accuracy", "majority baseline", "majority answer",
                "LM reading the true captions"), vqa.columnNames());
        int rows = vqa.rowCount();
        assertEquals("all", vqa.stringColumn("question type").get(rows - 1));
        assertEquals(Math.round((Double) value("run2.vqa().majorityOverall()") * 1000) / 1000.0,
                vqa.doubleColumn("majority baseline").get(rows - 1), 0.0);
        assertEquals(Math.round((Double) value("run2.reading().overall()") * 1000) / 1000.0,
                vqa.doubleColumn("LM reading the true captions").get(rows - 1), 0.0);

        // the same caption numbers from the run folder
        session.execute("%eval caption " + out + " --examples 0");
        Table fromFolder = sink.displayed(Table.class).get(sink.displayed(Table.class).size() - 1);
        assertEquals(bleu, fromFolder.doubleColumn("BLEU-4").get(0), 0.0);

        session.execute("%train stage2 --scratch --steps 2 --out " + dir.resolve("s2scratch") + " --as scratch");
        assertEquals("SCRATCH", value("scratch.init().name()"));
        assertEquals(true, value("scratch.stage1Checkpoint() == null"));
        assertEquals(value("run2.config().qformer().numQueries()"), value("scratch.config().qformer().numQueries()"),
                "scratch is shaped as the notebook's stage-1 Q-Former");
        session.execute("%%config experiment --preset embedded\n");
    }

    /** The progress bars drawn since {@code from}, by label, each with its states in order. */
    private Map<String, List<RecordingSink.Shown>> bars(int from) {
        Map<String, List<RecordingSink.Shown>> bars = new java.util.LinkedHashMap<>();
        for (RecordingSink.Shown s : sink.shown.subList(from, sink.shown.size())) {
            if (s.value() instanceof ProgressDisplay.Snapshot snap) {
                bars.computeIfAbsent(snap.label(), label -> new java.util.ArrayList<>()).add(s);
            }
        }
        return bars;
    }

    private static ProgressDisplay.Snapshot last(List<RecordingSink.Shown> states) {
        assertTrue(states != null && !states.isEmpty(), "a bar was drawn");
        return (ProgressDisplay.Snapshot) states.get(states.size() - 1).value();
    }

    @Test
    void trainStage2TakesTheLanguageModelFamilyFromConfigOrSet() throws Exception {
        session.execute("%%config experiment --preset tiny\nstage2: {language: {family: T5}}\n");
        session.execute("%train stage2 --scratch --steps 2 --out " + dir.resolve("s2t5") + " --as t5run");
        assertEquals("T5", value("t5run.config().stage2().language().family().name()"));
        assertTrue(Files.readString(dir.resolve("s2t5/report.md")).contains("frozen T5"));
        session.execute("%%config experiment --preset tiny\n");
        session.execute("%train stage2 --scratch --steps 2 --set stage2.language.family=T5 --out "
                + dir.resolve("s2t5set") + " --as t5set");
        assertEquals("T5", value("t5set.config().stage2().language().family().name()"));
        assertEquals(true, value("t5set.metrics().containsKey(\"vqa\")"));
        session.execute("%%config experiment --preset embedded\n");
    }

    @Test
    void badArgumentsGiveTheUsageNotAStackTrace() {
        for (String call : List.of("%train", "%train stage3", "%train stage1 --steps many", "%train stage1 --steps 0",
                "%train stage1 --set steps", "%train stage1 --speed 3", "%eval", "%eval ranking",
                "%eval retrieval " + dir.resolve("nothing-here"), "%eval retrieval --examples -1", "%ablate",
                "%ablate no-such-study", "%ablate itg-helps-retrieval --quick=yes", "%train stage1 --scratch",
                "%train stage2 --from " + dir.resolve("no-run"), "%train stage2 --from " + dir + " --scratch",
                "%eval caption --split test", "%eval vqa " + dir.resolve("no-run"))) {
            MagicUsageException e = assertThrows(MagicUsageException.class, () -> session.execute(call), call);
            assertTrue(e.usage() != null && e.usage().startsWith(call.split(" ")[0]), call + " -> " + e.usage());
        }
        MagicFailedException bad = assertThrows(MagicFailedException.class,
                () -> session.execute("%train stage1 --set qformer.noSuchField=3 --out " + dir.resolve("x")));
        assertTrue(bad.inputError(), "a config error is the user's input: message only");
        assertTrue(bad.getMessage().contains("noSuchField"), bad.getMessage());
    }

    @Test
    void ablateRunsAStudyAndShowsTheTableAndPlots() throws Exception {
        Path spec = dir.resolve("tiny-itg.yaml");
        Files.writeString(spec, """
                name: tiny-itg
                question: Does ITG change retrieval on a tiny world?
                kind: stage1
                base:
                  data: {trainCount: 48, valCount: 12, testCount: 12, compositionalCount: 12, imageSize: 32}
                  encoder: {type: PATCH_PIXELS, patchSize: 8}
                  qformer: {hiddenSize: 32, numLayers: 2, numHeads: 4, intermediateSize: 64, numQueries: 4, embedDim: 16, maxTextLength: 24}
                  train: {steps: 20, batchSize: 8, evalEvery: 0, warmupSteps: 1}
                  eval: {rerankK: 4, batchSize: 32, examples: 0}
                grid:
                  - {path: objective.itgWeight, values: [0, 1]}
                seeds: 1
                metrics:
                  - {name: i2t_r1, better: higher}
                plots:
                  bars: [i2t_r1]
                  lossCurves: [total]
                quick:
                  set: {train.steps: 2}
                """);
        int images = sink.displayed(BufferedImage.class).size();
        int tables = sink.displayed(Table.class).size();
        session.execute("%ablate " + spec + " --quick --set train.learningRate=0.002 --out " + dir.resolve("study")
                + " --as s");
        assertEquals(2, value("s.records().size()"));
        assertEquals(0L, value("s.failed()"));
        // the headline's answer, as the cell prints it first: one seed cannot state a detectable effect
        String answer = (String) value("s.headline().sentence()");
        assertTrue(answer.startsWith("On i2t_r1, ") && answer.contains("only 1 paired seed, so the spread is unknown"),
                answer);
        assertEquals(2, sink.displayed(Table.class).get(tables).rowCount(), "one row per variant");
        assertTrue(sink.displayed(BufferedImage.class).size() >= images + 2, "bars and loss curves");
        String config = Files.readString(dir.resolve("study/runs").toFile().listFiles()[0].toPath().resolve("config.json"));
        assertTrue(config.contains("\"steps\" : 2") && config.contains("0.002"), config);

        // --report-only shows the same study again without running it
        long before = Files.getLastModifiedTime(dir.resolve("study/runs").toFile().listFiles()[0].toPath()
                .resolve("result.json")).toMillis();
        session.execute("%ablate " + spec + " --quick --set train.learningRate=0.002 --report-only --out "
                + dir.resolve("study") + " --as again");
        assertEquals(2, value("again.records().size()"));
        assertEquals(0, value("again.executed()"));
        assertEquals(2, sink.displayed(Table.class).get(sink.displayed(Table.class).size() - 1).rowCount());
        assertEquals(before, Files.getLastModifiedTime(dir.resolve("study/runs").toFile().listFiles()[0].toPath()
                .resolve("result.json")).toMillis(), "nothing ran again");
    }

    /** SLURM's side of %ablate without a cluster: the dry run's batch script, and --status. */
    @Test
    void ablateWritesTheSlurmBatchScriptAndShowsWhereEachRunStands() throws Exception {
        Path spec = dir.resolve("toy-slurm.yaml");
        Files.writeString(spec, """
                name: tiny-slurm
                question: Does ITG change retrieval on a tiny world?
                kind: stage1
                base:
                  data: {trainCount: 48, valCount: 12, testCount: 12, compositionalCount: 12, imageSize: 32}
                  encoder: {type: PATCH_PIXELS, patchSize: 8}
                  train: {steps: 2}
                grid:
                  - {path: objective.itgWeight, values: [0, 1]}
                seeds: 1
                metrics:
                  - {name: i2t_r1, better: higher}
                slurm: {partition: cpu}
                """);
        Path study = dir.resolve("slurm-study");
        session.execute("%ablate " + spec + " --executor slurm --dry-run --mem 2G --array-limit 1 --sbatch qos=short"
                + " --out " + study);
        String script = Files.readString(study.resolve("slurm/study.sbatch"));
        for (String line : new String[] {"#SBATCH --array=0-1%1", "#SBATCH --mem=2G", "#SBATCH --partition=cpu",
                "#SBATCH --qos=short", "org.qformerlab.ablations.SlurmTask"}) {
            assertTrue(script.contains(line), line + " missing from\n" + script);
        }
        assertFalse(Files.exists(study.resolve("slurm/submissions.jsonl")), "a dry run submits nothing");

        int tables = sink.displayed(Table.class).size();
        session.execute("%ablate " + spec + " --status --out " + study);
        Table status = sink.displayed(Table.class).get(tables);
        assertEquals(List.of("run", "variant", "seed", "state", "task", "detail"), status.columnNames());
        assertEquals(List.of("pending", "pending"), status.stringColumn("state").asList());
        assertEquals(List.of("not submitted", "not submitted"), status.stringColumn("detail").asList());

        MagicUsageException e = assertThrows(MagicUsageException.class,
                () -> session.execute("%ablate " + spec + " --mem 2G --out " + study));
        assertTrue(e.getMessage().contains("the SLURM resource options need --executor slurm"), e.getMessage());
        e = assertThrows(MagicUsageException.class,
                () -> session.execute("%ablate " + spec + " --executor slurm --time 2h --out " + study));
        assertTrue(e.getMessage().contains("--time='2h' is not a SLURM time limit"), e.getMessage());
    }
}
