package org.qformerlab.blip2.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * run's config); {@code checkpoints/latest} names the newest. The rules that keep work from being lost:
 *
 * <ul>
 *   <li>A checkpoint is written into {@code .step-000400.partial/}; each file and then the folder are
 *       synced to disk before the rename that publishes it as {@code step-000400/}, and only then does
 *       {@code latest} point at it. A crash or a full disk mid-save leaves the previous checkpoint.
 *   <li>Re-saving a step that exists (a resumed run passing a step an interrupted run had reached)
 *       first renames the old copy to {@code .step-000400.old/}, publishes the new one, and only then
 *       deletes the old: at every instant one complete copy exists, and {@link #latest} finds it.
 *   <li>The two newest checkpoints of the run are kept, newest by step number (not by name, so step
 *       1,000,000 is newer than 999,999). Checkpoints with higher steps than the one just saved come
 *       from an earlier run in the same folder; they are left alone, and so is whatever
 *       {@code latest} names.
 *   <li>Resuming ({@link #resume}) checks the latest checkpoint before using it; a damaged one (empty
 *       or truncated {@code state.json}, a missing field, a truncated weights file) is named with its
 *       problem and passed over for the previous complete checkpoint of the run.
 * </ul>
 */
public final class Checkpoints {

    private static final int KEEP = 2;
    private static final Pattern NAME = Pattern.compile("step-(\\d+)");
    private static final String LATEST = "latest";
    private final Path root;

    /** The checkpoint a run resumes from: its folder and state, and the newer ones passed over as damaged. */
    public record Resumed(Path folder, long step, JsonNode state, List<String> damaged) {

        /** One line for the log: where training continues, and what was passed over and why. */
        public String line() {
            String from = "resuming from " + folder + " (step " + step + ")";
            return damaged.isEmpty() ? from
                    : String.join("; ", damaged) + "; " + from + ", the previous complete checkpoint";
        }
    }

    public Checkpoints(Path runDir) {
        this.root = runDir.resolve("checkpoints");
    }

    public Path root() {
        return root;
    }

    /** The folder name of a step's checkpoint. */
    public static String folderName(long step) {
        return String.format("step-%06d", step);
    }

    /** Writes a checkpoint of {@code step}; returns its folder. */
    public Path save(long step, Module model, AdamW optimizer, Map<String, Object> state) {
        String name = folderName(step);
        Path finalDir = root.resolve(name);
        Path partial = root.resolve("." + name + ".partial");
        Path old = root.resolve("." + name + ".old");
        try {
            Files.createDirectories(root);
            recover();
            Files.createDirectories(partial);
            Weights.save(model, partial.resolve("model.safetensors"), NameMap.LAVIS);
            Safetensors.write(partial.resolve("optimizer.safetensors"), optimizer.state());
            Map<String, Object> s = new LinkedHashMap<>(state);
            s.put("step", step);
            s.put("optimizerStep", optimizer.stepCount());
            AtomicFiles.writeString(partial.resolve("state.json"), Configs.toJson(s));
            AtomicFiles.syncFolder(partial);
            if (Files.exists(finalDir)) { // a re-save: the old copy stays whole under another name
                Files.move(finalDir, old, StandardCopyOption.ATOMIC_MOVE);
            }
            AtomicFiles.publish(partial, finalDir);
            AtomicFiles.writeString(root.resolve(LATEST), name + "\n");
            deleteTree(old);
            prune(step);
            return finalDir;
        } catch (IOException | RuntimeException e) {
            try {
                deleteTree(partial);
            } catch (IOException ignored) {
                // only the partial folder is left
            }
            throw new CheckpointException("could not save checkpoint " + name + " (" + e.getMessage()
                    + "); earlier checkpoints are intact in " + root, e);
        }
    }

    /**
     * The newest checkpoint folder, as {@code latest} names it, or null if there is none. While a
     * re-save of that step is between its two renames, the old copy under {@code .step-N.old/}.
     */
    public Path latest() {
        String name = latestName();
        if (name == null) {
            return null;
        }
        Path dir = published(name);
        if (dir == null) {
            throw new CheckpointException(root.resolve(LATEST) + " points at " + root.resolve(name)
                    + ", which does not exist; delete " + root.resolve(LATEST) + " to start over or restore the folder");
        }
        return dir;
    }

    /** A checkpoint folder by name, or its old copy while a re-save is between its renames; null if neither. */
    private Path published(String name) {
        Path dir = root.resolve(name);
        if (Files.isDirectory(dir)) {
            return dir;
        }
        Path old = root.resolve("." + name + ".old");
        return Files.isDirectory(old) ? old : null;
    }

    /** Forgets which checkpoint is the latest (a run starting afresh); the checkpoint folders stay. */
    public void forgetLatest() {
        try {
            Files.deleteIfExists(root.resolve(LATEST));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root.resolve(LATEST) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Loads the newest complete checkpoint into the model and optimizer: the latest, or, when that is
     * damaged, the newest earlier one of the run that is whole. Returns null when there is no
     * checkpoint. A checkpoint that is whole but does not fit the model or the optimizer is an error,
     * not damage: nothing is passed over for it.
     *
     * @throws CheckpointException naming each damaged file and its problem when no checkpoint is whole
     */
    public Resumed resume(Module model, AdamW optimizer) {
        String name = latestName();
        if (name == null) {
            return null;
        }
        List<Path> candidates = new ArrayList<>();
        List<String> damaged = new ArrayList<>();
        Path newest = published(name);
        if (newest != null) {
            candidates.add(newest);
        } else {
            damaged.add(root.resolve(LATEST) + " points at " + root.resolve(name) + ", which does not exist");
        }
        long latestStep = stepOf(name);
        for (Path dir : stepFolders()) {
            if (stepOf(dir.getFileName().toString()) < latestStep) {
                candidates.add(dir);
            }
        }
        try (NDManager scratch = NDManager.newBaseManager()) {
            for (Path dir : candidates) {
                Contents c;
                try {
                    c = read(dir, scratch, optimizer != null);
                } catch (CheckpointException e) {
                    damaged.add("checkpoint " + dir.getFileName() + " is damaged: " + e.getMessage());
                    continue;
                }
                c.loadInto(model, optimizer);
                return new Resumed(dir, c.state().get("step").asLong(), c.state(), damaged);
            }
        }
        throw new CheckpointException(String.join("; ", damaged) + "; no complete checkpoint is left in " + root
                + ": delete " + root + " to start the run over");
    }

    /** Loads a checkpoint into the model and optimizer (may be null); returns its state.json. */
    public static JsonNode load(Path dir, Module model, AdamW optimizer) {
        try (NDManager scratch = NDManager.newBaseManager()) {
            Contents c = read(dir, scratch, optimizer != null);
            c.loadInto(model, optimizer);
            return c.state();
        }
    }

    /** A checkpoint read from disk and checked to be whole, not yet loaded into anything. */
    private record Contents(Path folder, JsonNode state, Map<String, NDArray> weights, Map<String, NDArray> moments) {

        void loadInto(Module model, AdamW optimizer) {
            Path file = folder.resolve("model.safetensors");
            try {
                Weights.load(model, weights, NameMap.LAVIS, Weights.Policy.strict());
            } catch (CheckpointException e) {
                throw new CheckpointException(file + " (" + NameMap.LAVIS + " names) does not fit the model:\n"
                        + e.getMessage(), e);
            }
            if (optimizer != null) {
                optimizer.loadState(moments, state.get("optimizerStep").asLong());
            }
        }
    }

    /**
     * Reads a checkpoint's files, checking each is whole: {@code state.json} complete JSON with its
     * {@code step} and {@code optimizerStep}, the safetensors files with every tensor's bytes.
     *
     * @throws CheckpointException naming the file and what is wrong with it
     */
    private static Contents read(Path dir, NDManager scratch, boolean withMoments) {
        JsonNode state = readState(dir.resolve("state.json"));
        Map<String, NDArray> weights = Safetensors.read(scratch, dir.resolve("model.safetensors"));
        Map<String, NDArray> moments = withMoments ? Safetensors.read(scratch, dir.resolve("optimizer.safetensors")) : null;
        return new Contents(dir, state, weights, moments);
    }

    /** A checkpoint's state.json, checked: complete JSON, an object, with whole-number step fields. */
    static JsonNode readState(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file + " is missing");
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (bytes.length == 0) {
            throw new CheckpointException(file + " is empty (0 bytes)");
        }
        JsonNode state;
        try {
            state = Configs.JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new CheckpointException(file + " is not complete JSON (" + e.getOriginalMessage().lines().findFirst()
                    .orElse("") + " after " + bytes.length + " bytes)", e);
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (state == null || !state.isObject()) {
            throw new CheckpointException(file + " holds no JSON object");
        }
        for (String field : List.of("step", "optimizerStep")) {
            JsonNode v = state.get(field);
            if (v == null) {
                throw new CheckpointException(file + " lacks the field '" + field + "'");
            }
            if (!v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 0) {
                throw new CheckpointException(file + " has '" + field + "': " + v + ", not a step count");
            }
        }
        return state;
    }

    /** The folder name {@code latest} holds, or null if there is no {@code latest}. */
    private String latestName() {
        Path pointer = root.resolve(LATEST);
        String name;
        try {
            name = Files.readString(pointer).trim();
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + pointer + ": " + e.getMessage(), e);
        }
        if (stepOf(name) == null) {
            throw new CheckpointException(pointer + " holds '" + name + "', not a checkpoint folder in " + root
                    + "; delete " + pointer + " to start over");
        }
        return name;
    }

    /** The step of a checkpoint folder name, or null if it is not one. */
    private static Long stepOf(String name) {
        Matcher m = NAME.matcher(name);
        return m.matches() ? Long.valueOf(m.group(1)) : null;
    }

    /** The checkpoint folders, newest (highest step) first. */
    private List<Path> stepFolders() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> stepOf(p.getFileName().toString()) != null && Files.isDirectory(p))
                    .sorted(Comparator.comparing((Path p) -> stepOf(p.getFileName().toString())).reversed())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root + ": " + e.getMessage(), e);
        }
    }

    /**
     * Keeps the {@link #KEEP} newest checkpoints at or below {@code step} (the run's own), by step
     * number. Higher steps are an earlier run's; {@code latest} names {@code step}, which is kept.
     */
    private void prune(long step) throws IOException {
        int kept = 0;
        for (Path dir : stepFolders()) {
            if (stepOf(dir.getFileName().toString()) > step) {
                continue;
            }
            if (++kept > KEEP) {
                deleteTree(dir);
            }
        }
    }

    /**
     * Finishes what a crash interrupted: an old copy left by an interrupted re-save goes back into
     * place if its step has no new copy (else it is deleted), and partial folders are deleted.
     */
    private void recover() throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : s.toList()) {
                String f = p.getFileName().toString();
                if (f.startsWith(".step-") && f.endsWith(".old")) {
                    Path published = root.resolve(f.substring(1, f.length() - ".old".length()));
                    if (Files.exists(published)) {
                        deleteTree(p);
                    } else {
                        AtomicFiles.publish(p, published);
                    }
                } else if (f.startsWith(".step-") && f.endsWith(".partial")) {
                    deleteTree(p);
                }
            }
        }
    }

    static void deleteTree(Path p) throws IOException {
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
