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
import org.qformerlab.blip2.experiment.ExperimentConfig;
import org.qformerlab.blip2.llm.LanguageModelCache;

/** {@code qformerlab pretrain language} at tiny size: the files it writes are the ones runs then load. */
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
        assertTrue(none.err().contains("name one target (language)"), none.err());
        CommandLineRun unknown = CommandLineRun.of("pretrain", "speech");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("unknown target 'speech'"), unknown.err());
    }
}
