package org.qformerlab.blip2.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qformerlab.blip2.checkpoint.NameMap;
import org.qformerlab.blip2.checkpoint.Safetensors;
import org.qformerlab.blip2.checkpoint.Weights;
import org.qformerlab.blip2.config.Configs;
import org.qformerlab.blip2.nn.Module;
import org.qformerlab.blip2.train.Checkpoints;
import org.qformerlab.blip2.train.MetricsLog;
import org.qformerlab.blip2.train.RunFolder;
import org.qformerlab.blip2.train.Trainer;
import org.qformerlab.blip2.train.TrainingDivergedException;
import org.qformerlab.blip2.train.TrainingStoppedException;

/**
 * What every pretraining gets from running through the {@link Trainer}, checked the same way for
 * each: a run stopped half way and resumed ends with the weights of one uninterrupted run, byte for
 * byte; its checkpoints appear in the run folder; a NaN loss stops the run naming the step.
 */
public final class PretrainingRuns {

    private PretrainingRuns() {}

    /** A pretraining of a tiny recipe in a run folder; returns the model it hands back. */
    @FunctionalInterface
    public interface Pretraining {
        Module run(RunFolder run, NDManager manager);
    }

    /** A listener that asks the run to stop (after a checkpoint) once step {@code step} is done. */
    public static Trainer.Listener stopAfter(long step) {
        return new Trainer.Listener() {
            private long done;

            @Override
            public void onStep(Trainer.StepReport report) {
                done = report.step();
            }

            @Override
            public boolean stopRequested() {
                return done == step;
            }
        };
    }

    /**
     * {@code steps} steps in one go (folder {@code a}) and {@code steps / 2} steps, a stop, and a
     * resume (folder {@code b}) give the same weights, byte for byte; the stopped run leaves its
     * checkpoint (model, optimizer, state naming the recipe), and the resumed run's log holds every
     * step once.
     *
     * @param recipeField a field the checkpoints' state.json records of the recipe
     */
    public static void resumingHalfWayEndsAsOneRun(Path dir, int steps, String recipeField, Pretraining pretraining) {
        int half = steps / 2;
        try (NDManager m = NDManager.newBaseManager()) {
            Module oneGo = pretraining.run(RunFolder.at(dir.resolve("a")), m);
            TrainingStoppedException stopped = assertThrows(TrainingStoppedException.class,
                    () -> pretraining.run(RunFolder.at(dir.resolve("b")).withListener(stopAfter(half)), m));
            assertEquals(half, stopped.step());
            Path checkpoint = dir.resolve("b/checkpoints/" + Checkpoints.folderName(half));
            assertEquals(checkpoint, stopped.checkpoint());
            for (String file : List.of("model.safetensors", "optimizer.safetensors", "state.json")) {
                assertTrue(Files.isRegularFile(checkpoint.resolve(file)), checkpoint + " lacks " + file);
            }
            JsonNode state = Configs.JSON.readTree(checkpoint.resolve("state.json").toFile());
            assertEquals(half, state.get("step").asLong());
            assertTrue(state.has(recipeField), "state.json records the recipe's " + recipeField + ": " + state);
            assertEquals(half, MetricsLog.read(dir.resolve("b/metrics.jsonl")).size());

            List<String> said = new java.util.ArrayList<>();
            Module resumed = pretraining.run(RunFolder.at(dir.resolve("b")).withResume(true)
                    .withListener(new Trainer.Listener() {
                        @Override
                        public void onResume(String line) {
                            said.add(line);
                        }
                    }), m);
            assertEquals(List.of("resuming from " + checkpoint + " (step " + half + ")"), said);
            Map<String, NDArray> a = Weights.tensors(oneGo, NameMap.LAVIS);
            Map<String, NDArray> b = Weights.tensors(resumed, NameMap.LAVIS);
            assertEquals(a.keySet(), b.keySet());
            a.forEach((name, t) -> assertArrayEquals(t.toByteArray(), b.get(name).toByteArray(),
                    name + ": the resumed run ends elsewhere than the uninterrupted one"));
            assertEquals(steps, MetricsLog.read(dir.resolve("b/metrics.jsonl")).size(), "each step is logged once");
            for (String file : List.of("model.safetensors", "optimizer.safetensors")) { // the discarded heads and decoders too
                String last = "/checkpoints/" + Checkpoints.folderName(steps) + "/" + file;
                assertArrayEquals(Files.readAllBytes(dir.resolve("a" + last)), Files.readAllBytes(dir.resolve("b" + last)),
                        last + " differs between the uninterrupted and the resumed run");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A run whose weights hold NaN after step 2 (its checkpoint is poisoned, then resumed) stops at
     * step 3 before any update, naming the step and the loss term, with the checkpoint it resumed
     * from left as it was.
     */
    public static TrainingDivergedException aNanLossStopsTheRunNamingTheStep(Path dir, String term,
                                                                           Pretraining pretraining) {
        try (NDManager m = NDManager.newBaseManager()) {
            assertThrows(TrainingStoppedException.class,
                    () -> pretraining.run(RunFolder.at(dir).withListener(stopAfter(2)), m));
            Path model = dir.resolve("checkpoints/" + Checkpoints.folderName(2) + "/model.safetensors");
            Map<String, NDArray> poisoned = new LinkedHashMap<>();
            Safetensors.read(m, model).forEach((name, t) -> poisoned.put(name, t.mul(Float.NaN)));
            Safetensors.write(model, poisoned);
            byte[] before = Files.readAllBytes(model);

            TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                    () -> pretraining.run(RunFolder.at(dir).withResume(true), m));
            assertEquals(3, e.step());
            assertTrue(e.getMessage().startsWith("training stopped at step 3: loss term '" + term + "' became NaN"),
                    e.getMessage());
            assertTrue(e.getMessage().contains(dir.resolve("checkpoints/" + Checkpoints.folderName(2)).toString()),
                    e.getMessage());
            assertArrayEquals(before, Files.readAllBytes(model), "no checkpoint was written over the one resumed from");
            assertEquals(2, MetricsLog.read(dir.resolve("metrics.jsonl")).size(), "the bad step is not logged");
            return e;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
