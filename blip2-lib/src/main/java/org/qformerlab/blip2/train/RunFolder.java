package org.qformerlab.blip2.train;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qformerlab.blip2.checkpoint.CheckpointException;
import org.qformerlab.blip2.config.Configs;
import org.qformerlab.blip2.nn.Module;

/**
 * Where a training run that is not an experiment (a unimodal pretraining) keeps the
 * {@link Trainer}'s bookkeeping, and whether it continues from it: {@code checkpoints/} (every
 * {@code checkpointEvery} steps and at the end, atomically) and {@code metrics.jsonl} (one row per
 * step) in {@code folder}. With no folder ({@link #temporary}) the run trains in a temporary folder
 * that is deleted when it ends: a cache that builds a model on demand keeps the model only.
 *
 * @param folder the run folder, or null for a temporary one
 * @param resume continue from the folder's latest checkpoint, ending bit for bit where an
 *     uninterrupted run ends; a checkpoint that another recipe wrote is refused
 * @param checkpointEvery write a checkpoint every this many steps (0 = only at the end)
 * @param listener hears every step beside the progress lines (a notebook's progress bar or stop
 *     button), or null
 */
public record RunFolder(Path folder, boolean resume, int checkpointEvery, Trainer.Listener listener) {

    /** Checkpoints of a run in a folder of its own: every this many steps. */
    public static final int CHECKPOINT_EVERY = 100;

    public RunFolder {
        if (checkpointEvery < 0) {
            throw new IllegalArgumentException("checkpointEvery=" + checkpointEvery + " must be >= 0 (0 = at the end only)");
        }
        if (resume && folder == null) {
            throw new IllegalArgumentException("resuming needs the run folder that holds the checkpoints; name it");
        }
    }

    /** A temporary folder, deleted after the run; no resume. */
    public static RunFolder temporary() {
        return new RunFolder(null, false, 0, null);
    }

    /** The run folder {@code folder}: a new run, a checkpoint every {@link #CHECKPOINT_EVERY} steps. */
    public static RunFolder at(Path folder) {
        return new RunFolder(folder, false, CHECKPOINT_EVERY, null);
    }

    /** This folder, continuing from its latest checkpoint or not. */
    public RunFolder withResume(boolean r) {
        return new RunFolder(folder, r, checkpointEvery, listener);
    }

    /** This folder with {@code checkpointEvery} replaced. */
    public RunFolder withCheckpointEvery(int every) {
        return new RunFolder(folder, resume, every, listener);
    }

    /** This folder with {@code listener} replaced. */
    public RunFolder withListener(Trainer.Listener l) {
        return new RunFolder(folder, resume, checkpointEvery, l);
    }

    /**
     * What a run leaves: the trainer's result and the metrics log's rows of the training steps, from
     * step 1 (a resumed run's log continues the interrupted one's). After a run in a temporary folder,
     * {@link Trainer.Result#lastCheckpoint()} names a folder that is deleted.
     */
    public record Trained(Trainer.Result result, List<Map<String, Object>> rows) {

        /** The value of {@code key} (a loss term, {@code total}) at every step, in step order. */
        public float[] series(String key) {
            float[] out = new float[rows.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = ((Number) rows.get(i).get(key)).floatValue();
            }
            return out;
        }

        /**
         * The mean of each loss term (every logged loss but {@code total}) over the last {@code n}
         * steps, in the log's order of terms.
         */
        public Map<String, Double> meanOfLast(int n) {
            Map<String, Double> means = new LinkedHashMap<>();
            int k = Math.min(n, rows.size());
            for (Map<String, Object> row : rows.subList(rows.size() - k, rows.size())) {
                row.forEach((name, v) -> {
                    if (!name.equals("total") && !Trainer.BOOKKEEPING.contains(name)) {
                        means.merge(name, ((Number) v).floatValue() / (double) k, Double::sum);
                    }
                });
            }
            return means;
        }
    }

    /**
     * Trains {@code model} for {@code config.steps()} steps of {@code step} in this folder.
     *
     * @param config the recipe's optimiser and schedule; its {@code checkpointEvery} is this folder's
     * @param recipe what the weights depend on (the model's shape, the pretraining's config), stored in
     *     every checkpoint; a resumed checkpoint must record the same
     * @param progress the progress lines ({@link Trainer#console}), or null
     */
    public Trained train(TrainConfig config, Module model, Map<String, Object> recipe, Trainer.StepFunction step,
                         Trainer.Listener progress) {
        return train(config, model, recipe, step, progress, Map.of());
    }

    /**
     * As {@link #train(TrainConfig, Module, Map, Trainer.StepFunction, Trainer.Listener)}, with some
     * parameters stepping at a multiple of the scheduled rate ({@link Trainer#withLearningRateScales});
     * put the scales in {@code recipe} too, since the weights depend on them.
     */
    public Trained train(TrainConfig config, Module model, Map<String, Object> recipe, Trainer.StepFunction step,
                         Trainer.Listener progress, Map<String, Double> learningRateScales) {
        Path dir = folder != null ? folder : temporaryFolder();
        try {
            if (resume) {
                requireSameRecipe(dir, recipe);
            }
            Trainer.Listener lines = progress != null ? progress : new Trainer.Listener() {};
            Trainer.Result result = new Trainer(config.withCheckpointEvery(checkpointEvery), model, dir, recipe)
                    .withLearningRateScales(learningRateScales)
                    .run(step, null, lines.and(listener), resume);
            Path log = dir.resolve("metrics.jsonl");
            List<Map<String, Object>> rows = MetricsLog.read(log).stream().filter(r -> !r.containsKey("eval")).toList();
            return new Trained(result, rows);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the metrics log in " + dir + ": " + e.getMessage(), e);
        } finally {
            if (folder == null) {
                try {
                    Checkpoints.deleteTree(dir);
                } catch (IOException ignored) {
                    // a temporary folder left behind is the only cost
                }
            }
        }
    }

    /**
     * Refuses to resume from a checkpoint written for another recipe: its weights would continue
     * under a schedule or data they were not trained with, and the result would be stored under a
     * recipe it does not follow. A latest checkpoint that cannot be read is left to
     * {@link Checkpoints#resume}, which passes over it.
     */
    private static void requireSameRecipe(Path dir, Map<String, Object> recipe) {
        Path latest = new Checkpoints(dir).latest();
        if (latest == null) {
            return;
        }
        JsonNode state;
        try {
            state = Checkpoints.readState(latest.resolve("state.json"));
        } catch (CheckpointException damaged) {
            return;
        }
        for (Map.Entry<String, Object> e : recipe.entrySet()) {
            String now = Configs.toJson(e.getValue());
            String then = state.has(e.getKey()) ? Configs.toJson(state.get(e.getKey())) : "nothing";
            if (!now.equals(then)) {
                throw new CheckpointException("cannot resume from " + latest + ": it was written with another "
                        + e.getKey() + " (" + oneLine(then) + "; this run's is " + oneLine(now) + "); resume with the"
                        + " recipe the run started with, or start afresh in another run folder");
            }
        }
    }

    private static String oneLine(String json) {
        return json.replaceAll("\\s*\\n\\s*", " ");
    }

    private static Path temporaryFolder() {
        try {
            return Files.createTempDirectory("qformerlab-run-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary run folder: " + e.getMessage(), e);
        }
    }
}
