package org.qformerlab.blip2.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qformerlab.blip2.data.Split;
import org.qformerlab.blip2.experiment.config.ExperimentConfig;
import org.qformerlab.blip2.experiment.config.ImageEncoderConfig;
import org.qformerlab.blip2.experiment.evaluation.EncoderProbe;
import org.qformerlab.blip2.experiment.evaluation.SplitBinding;
import org.qformerlab.blip2.experiment.evaluation.SplitRetrieval;
import org.qformerlab.blip2.experiment.report.Stage1Result;
import org.qformerlab.blip2.train.MetricsLog;

/** The whole stage-1 pipeline on the tiny preset: run folder contents, metrics, resume. */
class Stage1ExperimentTest {

    @TempDir
    Path dir;

    private static Stage1Experiment.Options options(Path run, boolean resume, ByteArrayOutputStream log) {
        return new Stage1Experiment.Options(run, run.resolve("cache"), resume, new PrintStream(log, true));
    }

    @Test
    void runsEndToEndAndWritesTheRunFolder() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Path run = dir.resolve("run");
        Stage1Result r = Stage1Experiment.run(ExperimentConfig.tiny(), options(run, false, log));

        for (String f : List.of("config.json", "tokenizer.json", "metrics.jsonl", "results.json", "report.md")) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f + " is missing");
        }
        assertTrue(Files.isDirectory(run.resolve("checkpoints/step-000006")));
        String report = Files.readString(run.resolve("report.md"));
        for (String fig : report.lines().filter(l -> l.startsWith("![")).toList()) {
            String file = fig.substring(fig.indexOf("](") + 2, fig.length() - 1);
            assertTrue(Files.isRegularFile(run.resolve(file)), "figure " + file + " is missing");
        }
        assertTrue(report.contains("ITC+ITM") && report.contains("compositional"), report);
        assertTrue(report.contains("McNemar's exact p") && report.contains("| R@1 vs ITC |"),
                "the report must test the re-ranking query by query: " + report);
        assertTrue(report.contains("ITM re-ranking changed recall@1") && report.contains("H(1/3)"),
                "the report must say what re-ranking did and read it against the ITM prior: " + report);
        assertTrue(report.contains("In the ITM pass the queries' self-attention"),
                "the report must say what the ITM pass attends to: " + report);

        // how the ITM pass reads the text, on the test split's first 12 pairs (all it has)
        assertEquals(r.config().qformer().numLayers(), r.itmAttention().textShare().length);
        double share = r.itmAttention().meanTextShare();
        assertTrue(share > 0 && share < 1, "text share " + share);
        assertTrue(Files.readString(run.resolve("results.json")).contains("\"itm_attention\""));

        // what the frozen features carry, by linear probe on the test split: pixel patches here
        EncoderProbe probe = r.encoderProbe();
        assertEquals("patch pixels", probe.encoder());
        assertTrue(probe.pixelPatches().isEmpty(), "the encoder is pixel patches: no second probe");
        for (String attribute : EncoderProbe.ATTRIBUTES) {
            double a = probe.accuracy().get(attribute);
            assertTrue(a >= 0 && a <= 1, attribute + " " + a);
        }
        var results = org.qformerlab.blip2.config.Configs.JSON.readTree(run.resolve("results.json").toFile());
        assertEquals(probe.accuracy().get("count"), results.at("/encoder_probe/accuracy/count").asDouble(), 1e-12);
        assertEquals("test", results.at("/encoder_probe/scored").asText());
        assertTrue(report.contains("## Frozen image encoder") && report.contains("object_colour"), report);

        // the config as run has the widths the encoder and the tokenizer imply, and reads back
        ExperimentConfig asRun = ExperimentConfig.read(run.resolve("config.json"), ExperimentConfig.embedded());
        assertEquals(3 * 8 * 8 + 16, asRun.qformer().visionWidth());
        assertEquals(r.config(), asRun);

        // one log row per step plus the validations at steps 3 and 6
        List<Map<String, Object>> rows = MetricsLog.read(run.resolve("metrics.jsonl"));
        assertEquals(6 + 2, rows.size());
        assertTrue(rows.get(3).containsKey("val_i2t_r1_itc"), rows.get(3).toString());

        // the final evaluation: every split asked for, recall a count of hits growing with k
        assertEquals(List.of(Split.TEST, Split.COMPOSITIONAL), List.copyOf(r.retrieval().keySet()));
        SplitRetrieval test = r.retrieval().get(Split.TEST);
        assertEquals(12, test.images());
        assertEquals(12 * 4, test.texts());
        // chance by hand: a random text ranking finds one of an image's 4 captions among its top k of 48
        // with 1 - C(44, k) / C(48, k); a random image ranking finds a text's image among its top k of 12
        // with k / 12
        assertEquals(1.0 / 12, test.chance().imageToText(1), 1e-12);
        assertEquals(1 - 1086008.0 / 1712304, test.chance().imageToText(5), 1e-12);
        assertEquals(1 - 2481256778.0 / 6540715896L, test.chance().imageToText(10), 1e-12);
        assertEquals(1.0 / 12, test.chance().textToImage(1), 1e-12);
        assertEquals(5.0 / 12, test.chance().textToImage(5), 1e-12);
        assertEquals(10.0 / 12, test.chance().textToImage(10), 1e-12);
        for (var recall : List.of(test.itc(), test.reranked())) {
            assertTrue(recall.imageToText(1) <= recall.imageToText(5) && recall.imageToText(5) <= recall.imageToText(10));
            for (int k : new int[] {1, 5, 10}) {
                double images = recall.imageToText(k) * 12;
                double texts = recall.textToImage(k) * 48;
                assertEquals(Math.rint(images), images, 1e-9, "image->text R@" + k + " counts hits of 12 images");
                assertEquals(Math.rint(texts), texts, 1e-9, "text->image R@" + k + " counts hits of 48 captions");
            }
        }
        assertEquals(4, test.examples().size());
        // McNemar's test of the re-ranking counts exactly the hits recall@1 gained or lost
        assertEquals(test.reranked().imageToText(1) - test.itc().imageToText(1),
                (test.rerankTest().imageToText().gained() - test.rerankTest().imageToText().lost()) / 12.0, 1e-12);
        assertEquals(test.reranked().textToImage(1) - test.itc().textToImage(1),
                (test.rerankTest().textToImage().gained() - test.rerankTest().textToImage().lost()) / 48.0, 1e-12);
        assertTrue(test.metrics("").containsKey("t2i_r1_rerank_p"), test.metrics("").toString());
        assertTrue(log.toString().contains("test: 12 images, 48 captions"), log.toString());
        // the final evaluation's progress, by hand for each of the two splits of 12 images and 48 captions:
        // 60 embeddings + 1 unit of 576 similarities + 4 ITM candidates for each of the 60 queries + 1 unit
        // of ranking = 302 units; it ticks within the test split, not only between splits
        EvaluationLines.assertCountedBar(log.toString(), 2 * (12 + 48 + 1 + 4 * 60 + 1), "test split", 3);

        // truth-aware recall: every own hit is a true hit, so it is at least the own-caption recall,
        // and the own-caption ceiling of a perfect scorer is at most 1
        SplitRetrieval.Truth truth = test.truth();
        for (int k : new int[] {1, 5, 10}) {
            assertTrue(truth.itc().imageToText(k) >= test.itc().imageToText(k) - 1e-12, "k=" + k);
            assertTrue(truth.reranked().textToImage(k) >= test.reranked().textToImage(k) - 1e-12, "k=" + k);
            assertTrue(truth.chance().imageToText(k) >= test.chance().imageToText(k) - 1e-12, "k=" + k);
            assertTrue(truth.ownCeiling().imageToText(k) <= 1 && truth.ownCeiling().textToImage(k) > 0, "k=" + k);
        }
        assertTrue(truth.sharedCaptions() > 0, "some of the 48 test captions are true of several of the 12 images");
        assertEquals(Math.sqrt(truth.reranked().textToImage(1) * (1 - truth.reranked().textToImage(1)) / 48),
                test.metrics("").get("t2i_r1_true_se"), 1e-12);
        assertTrue(report.contains("true caption") && report.contains("perfect scorer") && report.contains("SE(R@1)"),
                report);
        for (SplitRetrieval.Example e : test.examples()) {
            for (int i = 0; i < e.captions().size(); i++) {
                assertTrue(!e.own().get(i) || e.correct().get(i), "an own caption is a true one: " + e);
            }
        }

        // the binding benchmark on the test split: a row per foil type and one over all, accuracies in [0, 1]
        SplitBinding binding = r.binding();
        assertEquals(Split.TEST, binding.split());
        assertEquals(org.qformerlab.blip2.data.FoilType.values().length + 1, binding.binding().rows().size());
        assertEquals(12, binding.binding().row(org.qformerlab.blip2.data.FoilType.SIZE_CHANGE).count());
        String resultsJson = Files.readString(run.resolve("results.json"));
        assertTrue(resultsJson.contains("\"binding\"") && resultsJson.contains("\"attribute_swap\"")
                && resultsJson.contains("\"itg_se\""), resultsJson);
        assertTrue(report.contains("## Binding (test)") && report.contains("relation swap"), report);
        assertTrue(r.seconds().containsKey("binding") && report.contains("binding: "), r.seconds().toString());
    }

    /** Thrown by a listener to kill a run after a step (its checkpoint, if any, is already written). */
    static final class Interrupted extends RuntimeException {}

    /** Counts the steps a run trains and keeps its resume line; with {@code stopAt}, dies on reaching it. */
    static final class StepCounter implements org.qformerlab.blip2.train.Trainer.Listener {
        final List<Long> steps = new java.util.ArrayList<>();
        final List<String> resumed = new java.util.ArrayList<>();
        private final long stopAt;

        StepCounter(long stopAt) {
            this.stopAt = stopAt;
        }

        @Override
        public void onStep(org.qformerlab.blip2.train.Trainer.StepReport r) {
            steps.add(r.step());
            if (r.step() == stopAt) {
                throw new Interrupted();
            }
        }

        @Override
        public void onResume(String line) {
            resumed.add(line);
        }
    }

    /**
     * Six steps in one go, and the same run killed after step 4 (its last checkpoint is step 3), then
     * resumed: steps 4 to 6 are trained again and the step-6 checkpoint is the one-go run's, byte for
     * byte. Resuming the finished run trains nothing and leaves its checkpoint as it was.
     */
    @Test
    void resumingAnInterruptedRunEndsWhereOneRunEnds() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ExperimentConfig c = ExperimentConfig.tiny().with(Map.of("train.evalEvery", 0, "train.checkpointEvery", 3));
        Path one = dir.resolve("one");
        Path two = dir.resolve("two");
        Stage1Experiment.run(c, options(one, false, log));
        StepCounter first = new StepCounter(4);
        assertThrows(Interrupted.class, () -> Stage1Experiment.run(c,
                new Stage1Experiment.Options(two, two.resolve("cache"), false, new PrintStream(log, true), first)));
        assertEquals(List.of(1L, 2L, 3L, 4L), first.steps);

        StepCounter second = new StepCounter(-1);
        Stage1Result resumed = Stage1Experiment.run(c,
                new Stage1Experiment.Options(two, two.resolve("cache"), true, new PrintStream(log, true), second));
        assertTrue(resumed.training().resumed());
        assertEquals(List.of(4L, 5L, 6L), second.steps, "the resumed run trains steps 4 to 6");
        assertEquals(List.of("resuming from " + two.resolve("checkpoints/step-000003") + " (step 3)"), second.resumed);
        for (String file : List.of("model.safetensors", "optimizer.safetensors")) {
            assertArrayEquals(Files.readAllBytes(one.resolve("checkpoints/step-000006").resolve(file)),
                    Files.readAllBytes(two.resolve("checkpoints/step-000006").resolve(file)), file); // bit-identical
        }
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), trainingSteps(two), "the resumed log continues the first half's");

        byte[] finished = Files.readAllBytes(two.resolve("checkpoints/step-000006/model.safetensors"));
        StepCounter third = new StepCounter(-1);
        Stage1Experiment.run(c, new Stage1Experiment.Options(two, two.resolve("cache"), true, new PrintStream(log, true),
                third));
        assertEquals(List.of(), third.steps, "a finished run trains nothing more");
        assertEquals(List.of("resuming from " + two.resolve("checkpoints/step-000006") + " (step 6)"), third.resumed);
        assertArrayEquals(finished, Files.readAllBytes(two.resolve("checkpoints/step-000006/model.safetensors")));
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), trainingSteps(two));
    }

    /** The steps of the training rows of a run's log, in order. */
    static List<Long> trainingSteps(Path run) throws java.io.IOException {
        return MetricsLog.read(run.resolve("metrics.jsonl")).stream().filter(x -> !x.containsKey("eval"))
                .map(x -> ((Number) x.get("step")).longValue()).toList();
    }

    @Test
    void theViTEncoderIsPretrainedOnceThenItsCacheIsReused() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ExperimentConfig c = ExperimentConfig.tiny().with("train.evalEvery", 0);
        c = new ExperimentConfig(c.data(), ImageEncoderConfig.vit(
                org.qformerlab.blip2.vision.VisionConfig.tiny(),
                org.qformerlab.blip2.vision.VisionPretrainConfig.tiny().withSteps(5)), c.qformer(), c.objective(),
                c.train(), c.eval(), c.stage2());
        Path cache = dir.resolve("cache");
        Stage1Result first = Stage1Experiment.run(c, new Stage1Experiment.Options(dir.resolve("a"), cache, false,
                new PrintStream(log, true)));
        assertEquals(org.qformerlab.blip2.vision.VisionConfig.tiny().width(), first.config().qformer().visionWidth(),
                "the Q-Former reads the ViT's features");
        ByteArrayOutputStream second = new ByteArrayOutputStream();
        Stage1Experiment.run(c, new Stage1Experiment.Options(dir.resolve("b"), cache, false, new PrintStream(second, true)));
        assertTrue(log.toString().contains("encoder: ViT"), log.toString());
        assertTrue(!second.toString().contains("vision pretraining step"), "the second run must load the cached encoder:\n" + second);
    }
}
