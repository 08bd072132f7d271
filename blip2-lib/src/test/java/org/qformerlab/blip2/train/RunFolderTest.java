package org.qformerlab.blip2.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.qformerlab.blip2.checkpoint.CheckpointException;
import org.qformerlab.blip2.config.ObjectiveConfig;
import org.qformerlab.blip2.qformer.Blip2QFormer;
import org.qformerlab.blip2.testing.PretrainingRuns;
import org.qformerlab.blip2.testing.TinyStage1;

class RunFolderTest {

    @TempDir
    Path dir;

    @Test
    void aTemporaryRunLeavesNothingBehindAndHandsBackItsLog() {
        try (NDManager m = NDManager.newBaseManager()) {
            TinyStage1 task = new TinyStage1(m, 16, 4, 1);
            Blip2QFormer model = task.model(m, 5);
            RunFolder.Trained t = RunFolder.temporary().train(TrainerTest.config(4), model, Map.of("recipe", "tiny"),
                    task.step(model, ObjectiveConfig.blip2()), null);
            Path runFolder = t.result().lastCheckpoint().getParent().getParent();
            assertFalse(Files.exists(runFolder), runFolder + " is left behind");
            assertEquals(4, t.rows().size());
            float[] total = t.series("total");
            for (int i = 0; i < 4; i++) {
                assertEquals(i + 1, ((Number) t.rows().get(i).get("step")).intValue());
                assertEquals(((Number) t.rows().get(i).get("total")).floatValue(), total[i]);
            }
            // the last 3 steps' mean of each term, 'total' and the bookkeeping left out
            Map<String, Double> means = t.meanOfLast(3);
            assertEquals(List.of("itc", "itm", "itg"), List.copyOf(means.keySet()));
            double itc = 0;
            for (int i = 1; i < 4; i++) {
                itc += ((Number) t.rows().get(i).get("itc")).floatValue() / 3.0;
            }
            assertEquals(itc, means.get("itc"), 0.0);
            assertEquals(t.result().finalLosses().get("itg"), t.rows().get(3).get("itg"));
        }
    }

    @Test
    void aCheckpointOfAnotherRecipeIsNotResumed() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            TinyStage1 task = new TinyStage1(m, 16, 4, 1);
            Blip2QFormer model = task.model(m, 5);
            RunFolder folder = RunFolder.at(dir).withListener(PretrainingRuns.stopAfter(2));
            assertThrows(TrainingStoppedException.class, () -> folder.train(TrainerTest.config(4), model,
                    Map.of("pretraining", Map.of("learningRate", 0.001)), task.step(model, ObjectiveConfig.blip2()), null));
            byte[] saved = Files.readAllBytes(dir.resolve("checkpoints/step-000002/model.safetensors"));
            CheckpointException e = assertThrows(CheckpointException.class, () -> RunFolder.at(dir).withResume(true)
                    .train(TrainerTest.config(4), model, Map.of("pretraining", Map.of("learningRate", 0.002)),
                            task.step(model, ObjectiveConfig.blip2()), null));
            assertEquals("cannot resume from " + dir.resolve("checkpoints/step-000002") + ": it was written with another"
                    + " pretraining ({ \"learningRate\" : 0.001 }; this run's is { \"learningRate\" : 0.002 }); resume with"
                    + " the recipe the run started with, or start afresh in another run folder", e.getMessage());
            assertArrayEquals(saved, Files.readAllBytes(dir.resolve("checkpoints/step-000002/model.safetensors")));
            Trainer.Result same = RunFolder.at(dir).withResume(true).train(TrainerTest.config(4), model,
                    Map.of("pretraining", Map.of("learningRate", 0.001)), task.step(model, ObjectiveConfig.blip2()), null)
                    .result();
            assertTrue(same.resumed());
        }
    }

    @Test
    void resumingNeedsAFolder() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunFolder.temporary().withResume(true));
        assertTrue(e.getMessage().contains("resuming needs the run folder"), e.getMessage());
    }
}
