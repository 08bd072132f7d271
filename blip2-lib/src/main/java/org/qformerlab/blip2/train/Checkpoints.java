package org.qformerlab.blip2.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.qformerlab.blip2.checkpoint.AtomicFiles;
import org.qformerlab.blip2.checkpoint.CheckpointException;
import org.qformerlab.blip2.checkpoint.NameMap;
import org.qformerlab.blip2.checkpoint.Safetensors;
import org.qformerlab.blip2.checkpoint.Weights;
import org.qformerlab.blip2.config.Configs;
import org.qformerlab.blip2.nn.Module;

/**
 * A run's checkpoints: {@code checkpoints/step-000400/} holds {@code model.safetensors} (LAVIS
 * names), {@code optimizer.safetensors} (AdamW moments) and {@code state.json} (step, seed, the
 * run's config). A checkpoint is written into a temporary folder that is renamed into place when
 * complete, and only then does {@code checkpoints/latest} point at it: a crash or a full disk
 * mid-save never destroys the previous checkpoint. The two newest are kept.
 */
public final class Checkpoints {

    private static final int KEEP = 2;
    private final Path root;

    public Checkpoints(Path runDir) {
        this.root = runDir.resolve("checkpoints");
    }

    public Path root() {
        return root;
    }

    /** Writes a checkpoint of {@code step}; returns its folder. */
    public Path save(long step, Module model, AdamW optimizer, Map<String, Object> state) {
        String name = String.format("step-%06d", step);
        Path finalDir = root.resolve(name);
        Path tmp = root.resolve("." + name + ".partial");
        try {
            deleteTree(tmp);
            Files.createDirectories(tmp);
            Weights.save(model, tmp.resolve("model.safetensors"), NameMap.LAVIS);
            Safetensors.write(tmp.resolve("optimizer.safetensors"), optimizer.state());
            Map<String, Object> s = new java.util.LinkedHashMap<>(state);
            s.put("step", step);
            s.put("optimizerStep", optimizer.stepCount());
            AtomicFiles.writeString(tmp.resolve("state.json"), Configs.toJson(s));
            deleteTree(finalDir);
            Files.move(tmp, finalDir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.writeString(root.resolve("latest"), name + "\n");
            prune();
            return finalDir;
        } catch (IOException | RuntimeException e) {
            try {
                deleteTree(tmp);
            } catch (IOException ignored) {
                // only the partial folder is left
            }
            throw new CheckpointException("could not save checkpoint " + name + " (" + e.getMessage()
                    + "); earlier checkpoints are intact in " + root, e);
        }
    }

    /** The newest complete checkpoint, or null if none. */
    public Path latest() {
        Path pointer = root.resolve("latest");
        if (!Files.exists(pointer)) {
            return null;
        }
        try {
            Path dir = root.resolve(Files.readString(pointer).trim());
            if (!Files.isDirectory(dir)) {
                throw new CheckpointException(pointer + " points at " + dir + ", which does not exist; delete "
                        + pointer + " to start over or restore the folder");
            }
            return dir;
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + pointer + ": " + e.getMessage(), e);
        }
    }

    /** Loads a checkpoint into the model and optimizer; returns its state.json. */
    public static JsonNode load(Path dir, Module model, AdamW optimizer) {
        Weights.load(model, dir.resolve("model.safetensors"), NameMap.LAVIS, Weights.Policy.strict());
        JsonNode state;
        try {
            state = Configs.JSON.readTree(dir.resolve("state.json").toFile());
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + dir.resolve("state.json") + ": " + e.getMessage(), e);
        }
        if (optimizer != null) {
            try (NDManager scratch = NDManager.newBaseManager()) {
                Map<String, NDArray> moments = Safetensors.read(scratch, dir.resolve("optimizer.safetensors"));
                optimizer.loadState(moments, state.get("optimizerStep").asLong());
            }
        }
        return state;
    }

    private void prune() throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            var dirs = s.filter(p -> p.getFileName().toString().startsWith("step-"))
                    .sorted(Comparator.reverseOrder())
                    .toList();
            for (int i = KEEP; i < dirs.size(); i++) {
                deleteTree(dirs.get(i));
            }
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
