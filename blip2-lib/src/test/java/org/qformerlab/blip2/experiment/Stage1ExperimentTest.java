package org.qformerlab.blip2.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qformerlab.blip2.checkpoint.NameMap;
import org.qformerlab.blip2.checkpoint.Weights;
import org.qformerlab.blip2.data.Split;
import org.qformerlab.blip2.qformer.Blip2QFormer;
import org.qformerlab.blip2.report.MetricsLog;

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

        // the final evaluation: every split asked for, recall within [0, 1] and growing with k
        assertEquals(List.of(Split.TEST, Split.COMPOSITIONAL), List.copyOf(r.retrieval().keySet()));
        SplitRetrieval test = r.retrieval().get(Split.TEST);
        assertEquals(12, test.images());
        assertEquals(12 * 4, test.texts());
        assertEquals(1.0 / 12, test.chance().textToImage(1), 1e-12);
        for (var recall : List.of(test.itc(), test.reranked())) {
            assertTrue(recall.imageToText(1) <= recall.imageToText(5) && recall.imageToText(5) <= recall.imageToText(10));
            assertTrue(recall.textToImage(10) <= 1.0 && recall.textToImage(1) >= 0);
        }
        assertEquals(4, test.examples().size());
        // McNemar's test of the re-ranking counts exactly the hits recall@1 gained or lost
        assertEquals(test.reranked().imageToText(1) - test.itc().imageToText(1),
                (test.rerankTest().imageToText().gained() - test.rerankTest().imageToText().lost()) / 12.0, 1e-12);
        assertEquals(test.reranked().textToImage(1) - test.itc().textToImage(1),
                (test.rerankTest().textToImage().gained() - test.rerankTest().textToImage().lost()) / 48.0, 1e-12);
        assertTrue(test.metrics("").containsKey("t2i_r1_rerank_p"), test.metrics("").toString());
        assertTrue(log.toString().contains("test: 12 images, 48 captions"), log.toString());
    }

    @Test
    void resumingHalfWayEndsWhereOneRunEnds() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        // warm-up ends at the cut, so a 3-step run has the 6-step run's learning rates: it is the
        // first half of that run, interrupted after its step-3 checkpoint
        ExperimentConfig c = ExperimentConfig.tiny().with(Map.of(
                "train.evalEvery", 0, "train.checkpointEvery", 3, "train.warmupSteps", 3));
        Stage1Experiment.run(c, options(dir.resolve("one"), false, log));
        Stage1Experiment.run(c.with("train.steps", 3), options(dir.resolve("two"), false, log));
        Stage1Result resumed = Stage1Experiment.run(c, options(dir.resolve("two"), true, log));
        assertTrue(resumed.training().resumed());

        try (NDManager m = NDManager.newBaseManager()) {
            Blip2QFormer a = Blip2QFormer.create(resumed.config().qformer(), m);
            Blip2QFormer b = Blip2QFormer.create(resumed.config().qformer(), m);
            Weights.load(a, dir.resolve("one/checkpoints/step-000006/model.safetensors"), NameMap.LAVIS,
                    Weights.Policy.strict());
            Weights.load(b, dir.resolve("two/checkpoints/step-000006/model.safetensors"), NameMap.LAVIS,
                    Weights.Policy.strict());
            double worst = 0;
            for (Map.Entry<String, Parameter> e : a.namedParameters().entrySet()) {
                float[] x = e.getValue().getArray().toFloatArray();
                float[] y = b.namedParameters().get(e.getKey()).getArray().toFloatArray();
                for (int i = 0; i < x.length; i++) {
                    worst = Math.max(worst, Math.abs(x[i] - y[i]));
                }
            }
            assertEquals(0.0, worst, "resumed weights differ from the one-go run by " + worst); // bit-identical
        }
        assertEquals(6, MetricsLog.read(dir.resolve("two/metrics.jsonl")).stream().filter(x -> !x.containsKey("eval")).count(),
                "the resumed log continues the first half's");
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
