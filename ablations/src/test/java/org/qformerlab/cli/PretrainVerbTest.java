package org.qformerlab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qformerlab.blip2.config.Configs;
import org.qformerlab.blip2.data.ShapesWorld;
import org.qformerlab.blip2.experiment.config.ExperimentConfig;
import org.qformerlab.blip2.llm.LanguageModelCache;
import org.qformerlab.blip2.vision.AttributePretrainConfig;
import org.qformerlab.blip2.vision.ShippedEncoder;
import org.qformerlab.blip2.vision.VisionConfig;
import org.qformerlab.blip2.vision.VisionTransformer;

/** {@code qformerlab pretrain vision} and {@code pretrain language} at tiny size: the files they write are the ones runs then load; and their usage errors. */
class PretrainVerbTest {

    @TempDir
    Path dir;

    @Test
    void pretrainLanguageWritesAnEntryThatRunsLoadAndRecordsItsReading() throws Exception {
        Path out = dir.resolve("lm");
        CommandLineRun o = CommandLineRun.of("pretrain", "language", "--preset", "tiny", "--steps", "4", "--out",
                out.toString(), "--device", "cpu");
        assertEquals(0, o.code(), o.err());
        for (String file : LanguageModelCache.FILES) {
            assertTrue(Files.isRegularFile(out.resolve(file)), file + " missing:\n" + o.out());
        }
        JsonNode record = Configs.JSON.readTree(out.resolve("config.json").toFile());
        for (String type : new String[] {"colour", "shape", "size", "count", "relation"}) {
            double read = record.get("reading").get(type).asDouble(-1);
            assertTrue(read >= 0 && read <= 1, type + ": " + record);
            assertTrue(o.out().contains("  " + type + " "), o.out());
        }
        assertTrue(o.out().contains("wrote " + out), o.out());

        ExperimentConfig tiny = ExperimentConfig.tiny().withStage2(ExperimentConfig.tiny().stage2()
                .withLanguage(ExperimentConfig.tiny().stage2().language().withSteps(4)));
        try (NDManager m = NDManager.newBaseManager()) {
            LanguageModelCache.Entry entry = LanguageModelCache.pretrainOrLoad(tiny.stage2().language(),
                    ShapesWorld.generate(tiny.data()), dir.resolve("cache"), LanguageModelCache.Shipped.folder(out), m, null);
            assertTrue(!entry.trainedNow(), "the written entry is not the one a run with the same recipe loads");
        }
    }

    @Test
    void aMissingOrUnknownTargetIsAUsageError() {
        CommandLineRun none = CommandLineRun.of("pretrain");
        assertEquals(2, none.code());
        assertTrue(none.err().contains("name one target (vision or language)"), none.err());
        CommandLineRun unknown = CommandLineRun.of("pretrain", "speech");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("unknown target 'speech'"), unknown.err());
    }

    @Test
    void pretrainsProbesAndWritesALoadableEncoder() throws Exception {
        Path out = dir.resolve("encoder");
        CommandLineRun run = CommandLineRun.of("pretrain", "vision", "--preset", "tiny", "--steps", "4", "--out", out.toString());
        assertEquals(0, run.code(), run.err() + run.out());
        assertTrue(run.out().contains("vision pretraining step 4/4"), run.out());
        assertTrue(run.out().contains("encoder probe (linear, fitted on train, scored on test)")
                && run.out().contains("object_shape"), run.out());
        JsonNode record = Configs.JSON.readTree(out.resolve("config.json").toFile());
        VisionConfig vision = VisionConfig.tiny().withFeatureLayer(-1);
        assertEquals(Configs.toJson(ShippedEncoder.key(vision, AttributePretrainConfig.tiny().withSteps(4))),
                Configs.toJson(record.get("key")));
        assertEquals("qformerlab pretrain vision --preset tiny --steps 4 (PyTorch threads: default)".replace("default",
                System.getProperty("ai.djl.pytorch.num_threads", "default")), record.get("made").asText());
        assertEquals(AttributePretrainConfig.tiny().poolSize(), record.get("poolScenes").asInt());
        assertTrue(record.at("/probe/accuracy/object_colour").isNumber(), record.toString());
        assertTrue(record.at("/probe/pixel_patches/object_colour").isNumber(), record.toString());
        try (NDManager m = NDManager.newBaseManager()) {
            VisionTransformer encoder = VisionTransformer.load(vision, out.resolve("model.safetensors"), m);
            assertEquals(vision, encoder.config());
        }
    }

    /**
     * With --run the checkpoints and the metrics log stay; the same command refuses to start over
     * them, and with --resume continues (a finished run is written out again, unchanged).
     */
    @Test
    void keepsCheckpointsInTheRunFolderAndResumesFromThem() throws Exception {
        Path out = dir.resolve("encoder");
        Path run = dir.resolve("run");
        String[] command = {"pretrain", "vision", "--preset", "tiny", "--steps", "4", "--no-probe", "--out", out.toString(),
            "--run", run.toString(), "--checkpoint-every", "2"};
        CommandLineRun first = CommandLineRun.of(command);
        assertEquals(0, first.code(), first.err() + first.out());
        assertTrue(Files.isDirectory(run.resolve("checkpoints/step-000002")) && Files.isDirectory(run.resolve("checkpoints/step-000004")),
                "checkpoints every 2 steps");
        assertEquals(4, Files.readAllLines(run.resolve("metrics.jsonl")).size());
        byte[] weights = Files.readAllBytes(out.resolve("model.safetensors"));

        CommandLineRun again = CommandLineRun.of(command);
        assertEquals(2, again.code());
        assertTrue(again.err().contains(run + " holds the checkpoints of an earlier run (latest step-000004): add --resume"),
                again.err());

        String[] resume = java.util.Arrays.copyOf(command, command.length + 1);
        resume[command.length] = "--resume";
        CommandLineRun resumed = CommandLineRun.of(resume);
        assertEquals(0, resumed.code(), resumed.err() + resumed.out());
        assertTrue(resumed.out().contains("resuming from " + run.resolve("checkpoints/step-000004") + " (step 4)"),
                resumed.out());
        org.junit.jupiter.api.Assertions.assertArrayEquals(weights, Files.readAllBytes(out.resolve("model.safetensors")));

        CommandLineRun orphan = CommandLineRun.of("pretrain", "language", "--preset", "tiny", "--resume");
        assertEquals(2, orphan.code());
        assertTrue(orphan.err().contains("--resume continues the run in a folder: name it with --run DIR"), orphan.err());
        assertTrue(CommandLineRun.of("pretrain", "--help").out().contains("--checkpoint-every N"));
    }

    @Test
    void saysWhatToPretrainAndRefusesATinyRunOverTheShippedFiles() {
        CommandLineRun tiny = CommandLineRun.of("pretrain", "vision", "--preset", "tiny");
        assertEquals(2, tiny.code());
        assertTrue(tiny.err().contains("--preset tiny needs --out DIR"), tiny.err());
        CommandLineRun steps = CommandLineRun.of("pretrain", "vision", "--steps", "0", "--out", dir.toString());
        assertEquals(2, steps.code());
        assertTrue(steps.err().contains("--steps must be at least 1"), steps.err());
        assertTrue(Main.verbNames().contains("pretrain"));
    }
}
