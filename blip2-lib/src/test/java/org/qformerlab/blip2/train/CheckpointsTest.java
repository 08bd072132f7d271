package org.qformerlab.blip2.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.qformerlab.blip2.checkpoint.CheckpointException;
import org.qformerlab.blip2.nn.Overwrite;
import org.qformerlab.blip2.qformer.Blip2QFormer;
import org.qformerlab.blip2.testing.TinyStage1;

/** Pruning, re-saving, recovery after a crash mid-save, and damaged checkpoints. */
class CheckpointsTest {

    @TempDir
    Path dir;

    private NDManager manager;
    private Blip2QFormer model;
    private AdamW optimizer;

    @BeforeEach
    void tinyModel() {
        manager = NDManager.newBaseManager();
        model = new TinyStage1(manager, 4, 4, 1).model(manager, 5);
        optimizer = new AdamW(model.namedParameters(), 0.9, 0.999, 1e-8, 0.0);
    }

    @AfterEach
    void close() {
        optimizer.close();
        manager.close();
    }

    /** Saves {@code step} with every weight set to {@code step} (so a load can tell checkpoints apart). */
    private Path save(Checkpoints c, long step) {
        fill(step);
        return c.save(step, model, optimizer, Map.of());
    }

    private void fill(float value) {
        model.namedParameters().values().forEach(p -> Overwrite.fill(p.getArray(), value));
    }

    /** The value every weight holds (they are all equal after {@link #save}). */
    private float weight() {
        float[] v = model.namedParameters().get("query_tokens").getArray().toFloatArray();
        for (float x : v) {
            assertEquals(v[0], x);
        }
        return v[0];
    }

    private List<String> folders(Checkpoints c) throws IOException {
        try (Stream<Path> s = Files.list(c.root())) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.equals("latest")).sorted().toList();
        }
    }

    @Test
    void pruningKeepsTheNewestByStepNumberPastAMillion() throws IOException {
        Checkpoints c = new Checkpoints(dir);
        for (long step : new long[] {999_998, 999_999, 1_000_000, 1_000_001}) {
            save(c, step);
        }
        // by name, "step-1000000" sorts before "step-999999": pruning by name would keep 999,999
        assertEquals(List.of("step-1000000", "step-1000001"), folders(c));
        assertEquals(c.root().resolve("step-1000001"), c.latest());
    }

    /**
     * A run writing steps 10, 20, 30 into a folder that still holds steps 990 and 1000 of an earlier
     * run: pruning by name or by step alone would delete the new run's checkpoints, latest included.
     */
    @Test
    void aRunBelowAnEarlierRunsHigherStepsKeepsWhatLatestNames() throws IOException {
        Checkpoints c = new Checkpoints(dir);
        save(c, 990);
        save(c, 1000);
        c.forgetLatest(); // what a run starting afresh does
        for (long step : new long[] {10, 20, 30}) {
            assertEquals(c.root().resolve(Checkpoints.folderName(step)), save(c, step));
            assertEquals(c.root().resolve(Checkpoints.folderName(step)), c.latest());
        }
        assertEquals(List.of("step-000020", "step-000030", "step-000990", "step-001000"), folders(c));
        fill(-1);
        Checkpoints.Resumed r = c.resume(model, optimizer);
        assertEquals(30, r.step());
        assertEquals(30f, weight());
    }

    @Test
    void reSavingAStepReplacesItAndLeavesNothingBehind() throws IOException {
        Checkpoints c = new Checkpoints(dir);
        save(c, 5);
        save(c, 6);
        save(c, 6 /* the folder exists */);
        fill(66);
        c.save(6, model, optimizer, Map.of());
        assertEquals(List.of("step-000005", "step-000006"), folders(c), "no .old or .partial folder is left");
        fill(0);
        assertEquals(6, c.resume(model, optimizer).step());
        assertEquals(66f, weight(), "the re-saved weights");
    }

    /**
     * A re-save killed between its two renames: the old copy is under {@code .step-N.old/}, the new
     * one complete under {@code .step-N.partial/}, and {@code step-N} is absent. A complete copy
     * exists, {@code latest} finds it, and the next save puts it back in place.
     */
    @Test
    void aReSaveKilledBetweenItsRenamesLosesNothing() throws IOException {
        Checkpoints c = new Checkpoints(dir);
        save(c, 5);
        save(c, 6);
        Path six = c.root().resolve("step-000006");
        Path old = c.root().resolve(".step-000006.old");
        Files.move(six, old);
        Files.createDirectories(c.root().resolve(".step-000006.partial"));
        Files.writeString(c.root().resolve(".step-000006.partial/state.json"), "{\"st");

        assertEquals(old, c.latest());
        fill(0);
        Checkpoints.Resumed r = c.resume(model, optimizer);
        assertEquals(6, r.step());
        assertEquals(6f, weight());
        assertTrue(r.damaged().isEmpty(), r.line());

        save(c, 7);
        assertEquals(List.of("step-000006", "step-000007"), folders(c), "the old copy is back, the partial gone");
        fill(0);
        Checkpoints.load(six, model, optimizer);
        assertEquals(6f, weight());
    }

    @Test
    void aSaveKilledBeforeItsRenameLeavesThePreviousCheckpoint() throws IOException {
        Checkpoints c = new Checkpoints(dir);
        save(c, 5);
        Path partial = Files.createDirectories(c.root().resolve(".step-000006.partial"));
        Files.write(partial.resolve("model.safetensors"), new byte[] {1, 2, 3});
        fill(0);
        assertEquals(5, c.resume(model, optimizer).step());
        save(c, 6);
        assertEquals(List.of("step-000005", "step-000006"), folders(c));
    }

    @Test
    void noLatestMeansNothingToResume() {
        assertNull(new Checkpoints(dir).resume(model, optimizer));
        assertNull(new Checkpoints(dir).latest());
    }

    /** Ways a checkpoint is found damaged, and the problem the message must name. */
    enum Damage {
        EMPTY_STATE("state.json", "is empty (0 bytes)"),
        TRUNCATED_STATE("state.json", "is not complete JSON"),
        NO_STEP("state.json", "lacks the field 'step'"),
        NO_OPTIMIZER_STEP("state.json", "lacks the field 'optimizerStep'"),
        STEP_NOT_A_NUMBER("state.json", "has 'step': \"six\", not a step count"),
        MISSING_STATE("state.json", "is missing"),
        TRUNCATED_WEIGHTS("model.safetensors", "truncated"),
        HEADERLESS_WEIGHTS("model.safetensors", "has 3 bytes, no safetensors header"),
        TRUNCATED_MOMENTS("optimizer.safetensors", "truncated"),
        MISSING_WEIGHTS("model.safetensors", "not found");

        final String file;
        final String problem;

        Damage(String file, String problem) {
            this.file = file;
            this.problem = problem;
        }

        void apply(Path checkpoint) throws IOException {
            Path f = checkpoint.resolve(file);
            byte[] bytes = Files.readAllBytes(f);
            String state = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
            switch (this) {
                case EMPTY_STATE -> Files.write(f, new byte[0]);
                case TRUNCATED_STATE, TRUNCATED_WEIGHTS, TRUNCATED_MOMENTS ->
                        Files.write(f, Arrays.copyOf(bytes, bytes.length / 2));
                case NO_STEP -> Files.writeString(f, state.replace("\"step\"", "\"stop\""));
                case NO_OPTIMIZER_STEP -> Files.writeString(f, state.replace("\"optimizerStep\"", "\"optimiserStep\""));
                case STEP_NOT_A_NUMBER -> Files.writeString(f, state.replaceFirst("\"step\" : 6", "\"step\" : \"six\""));
                case MISSING_STATE, MISSING_WEIGHTS -> Files.delete(f);
                case HEADERLESS_WEIGHTS -> Files.write(f, new byte[] {1, 2, 3});
            }
        }
    }

    /**
     * A damaged latest checkpoint: loading it gives one line naming the file and the problem;
     * resuming passes it over for the previous complete checkpoint and says so; with no complete
     * checkpoint left, resuming fails naming the damage. (An empty state.json was a bare
     * NullPointerException.)
     */
    @ParameterizedTest
    @EnumSource(Damage.class)
    void aDamagedLatestCheckpointIsNamedAndPassedOver(Damage damage) throws IOException {
        Checkpoints c = new Checkpoints(dir);
        save(c, 5);
        Path six = save(c, 6);
        damage.apply(six);
        Path file = six.resolve(damage.file);

        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.load(six, model, optimizer));
        String message = e.getMessage();
        System.out.println(damage + ": " + message);
        assertTrue(message.contains(file.toString()) && message.contains(damage.problem), message);
        assertFalse(message.contains("\n"), "one line: " + message);

        fill(0);
        Checkpoints.Resumed r = c.resume(model, optimizer);
        System.out.println(damage + " (resume): " + r.line());
        assertEquals(5, r.step());
        assertEquals(c.root().resolve("step-000005"), r.folder());
        assertEquals(5f, weight(), "the previous checkpoint's weights");
        assertEquals(1, r.damaged().size());
        assertTrue(r.line().startsWith("checkpoint step-000006 is damaged: " + message + "; "), r.line());
        assertTrue(r.line().endsWith("resuming from " + r.folder() + " (step 5), the previous complete checkpoint"),
                r.line());

        deleteTree(c.root().resolve("step-000005"));
        CheckpointException none = assertThrows(CheckpointException.class, () -> c.resume(model, optimizer));
        assertTrue(none.getMessage().contains(message) && none.getMessage().contains("no complete checkpoint is left"),
                none.getMessage());
    }

    /** A checkpoint that is whole but does not fit the model is an error, not damage to pass over. */
    @Test
    void aCheckpointForAnotherModelIsNotPassedOver() throws IOException {
        Checkpoints c = new Checkpoints(dir);
        save(c, 5);
        save(c, 6);
        try (NDManager m = NDManager.newBaseManager()) {
            Blip2QFormer other = Blip2QFormer.create(new TinyStage1(m, 4, 4, 1).config.withNumQueries(3), m);
            try (AdamW adam = new AdamW(other.namedParameters(), 0.9, 0.999, 1e-8, 0.0)) {
                CheckpointException e = assertThrows(CheckpointException.class, () -> c.resume(other, adam));
                assertTrue(e.getMessage().contains("step-000006") && e.getMessage().contains("does not fit the model"),
                        e.getMessage());
            }
        }
    }

    @Test
    void aLatestThatNamesNoCheckpointIsExplained() throws IOException {
        Checkpoints c = new Checkpoints(dir);
        save(c, 5);
        Files.writeString(c.root().resolve("latest"), "");
        CheckpointException e = assertThrows(CheckpointException.class, c::latest);
        assertTrue(e.getMessage().contains("holds '', not a checkpoint folder in " + c.root()), e.getMessage());

        Files.writeString(c.root().resolve("latest"), "step-000009\n");
        fill(0);
        Checkpoints.Resumed r = c.resume(model, optimizer);
        assertEquals(5, r.step(), "a latest that names a missing folder falls back too");
        assertTrue(r.line().contains("step-000009, which does not exist"), r.line());
    }

    @Test
    void aFailedSaveLeavesTheEarlierCheckpoints() throws IOException {
        Checkpoints c = new Checkpoints(dir);
        save(c, 5);
        Map<String, Object> unwritable = Map.of("bad", new Object()); // Jackson cannot write an Object
        CheckpointException e = assertThrows(CheckpointException.class, () -> c.save(6, model, optimizer, unwritable));
        assertTrue(e.getMessage().contains("could not save checkpoint step-000006")
                && e.getMessage().contains("earlier checkpoints are intact"), e.getMessage());
        assertEquals(List.of("step-000005"), folders(c));
        assertEquals(c.root().resolve("step-000005"), c.latest());
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }

    /**
     * The tied aliases are written in name order: {@code Map.of}, which holds them, iterates in an
     * order that changes from JVM to JVM, and it swapped two tensors' places in the file between a
     * killed-and-resumed run and an uninterrupted one (same weights, different bytes).
     */
    @Test
    void theTiedAliasesComeInNameOrder() {
        var lavis = org.qformerlab.blip2.checkpoint.NameMap.LAVIS;
        List<String> present = lavis.aliases().entrySet().stream()
                .filter(e -> model.namedParameters().containsKey(e.getValue())).map(Map.Entry::getKey).sorted().toList();
        assertEquals(2, present.size(), "the Q-Former's tied decoder weight and bias: " + present);
        List<String> names = List.copyOf(org.qformerlab.blip2.checkpoint.Weights.tensors(model, lavis).keySet());
        assertEquals(present, names.subList(names.size() - present.size(), names.size()));
    }

    @Test
    void aByteForByteRoundTrip() throws IOException {
        Checkpoints c = new Checkpoints(dir);
        Path five = save(c, 5);
        byte[] before = Files.readAllBytes(five.resolve("model.safetensors"));
        fill(0);
        Checkpoints.load(five, model, optimizer);
        Path again = c.save(5, model, optimizer, Map.of());
        assertArrayEquals(before, Files.readAllBytes(again.resolve("model.safetensors")));
    }
}
