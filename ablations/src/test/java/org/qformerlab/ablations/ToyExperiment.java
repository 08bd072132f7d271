package org.qformerlab.ablations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.qformerlab.blip2.train.MetricsLog;
import org.qformerlab.blip2.train.TrainingStoppedException;

/**
 * A stand-in experiment for testing the runner: instant, deterministic, and able to misbehave on
 * request.
 *
 * <p>{@code score = model.width + 10 * objective.itgWeight + noise * train.seed}, so with seeds 1..3
 * and noise 1 a variant's scores are {@code x+1, x+2, x+3}: mean {@code x+2}, standard deviation 1.
 * {@code behaviour.crash} throws; {@code behaviour.failOnce} throws on the first attempt only;
 * {@code behaviour.exitCode} halts the JVM (child processes only!); {@code behaviour.sleepMs} sleeps;
 * {@code behaviour.holdMb} fills that many megabytes of heap and holds them while it sleeps (to be
 * killed for memory by SLURM). Asked to stop, it stops between steps with a checkpoint, as a trainer
 * does, and continues from it when run again; {@code behaviour.stepStops: false} makes it run to its
 * end, as an experiment that cannot stop inside a run does.
 * Like the real experiments, it overwrites the run folder's {@code config.json} with the config it
 * resolved.
 */
public final class ToyExperiment implements Experiment {

    /** How many times {@link #run} was entered in this JVM. */
    static final AtomicInteger RUNS = new AtomicInteger();

    static final String DEFAULTS = """
            {"model": {"width": 8, "depth": 2},
             "objective": {"itgWeight": 1.0, "mode": "UNIMODAL"},
             "train": {"steps": 5, "seed": 0, "noise": 1.0},
             "behaviour": {"crash": false, "failOnce": false, "exitCode": 0, "sleepMs": 0, "holdMb": 0, "stepStops": true}}""";

    @Override
    public String kind() {
        return "toy";
    }

    @Override
    public JsonNode defaultConfig() {
        try {
            return RunFiles.JSON.readTree(DEFAULTS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void validate(JsonNode config) {
        JsonNode width = ConfigTree.get(config, "model.width");
        if (width == null || !width.canConvertToInt() || width.asInt() < 1) {
            throw new IllegalArgumentException("model.width=" + width + " must be a whole number >= 1");
        }
        String mode = ConfigTree.get(config, "objective.mode").asText();
        if (!mode.equals("UNIMODAL") && !mode.equals("BIDIRECTIONAL")) {
            throw new IllegalArgumentException("objective.mode=" + mode + " must be UNIMODAL or BIDIRECTIONAL");
        }
        if (ConfigTree.get(config, "train.steps").asInt() < 1) {
            throw new IllegalArgumentException("train.steps must be at least 1");
        }
    }

    /** Laid over {@link #DEFAULTS}: a field an older plan lacks takes its default. */
    @Override
    public JsonNode normalize(JsonNode config) {
        ObjectNode full = (ObjectNode) defaultConfig();
        ConfigTree.overlay(full, config);
        return full;
    }

    /** Wider and longer costs more: {@code model.width * train.steps}. */
    @Override
    public double relativeCost(JsonNode config) {
        return ConfigTree.get(config, "model.width").asDouble() * ConfigTree.get(config, "train.steps").asDouble();
    }

    @Override
    public Map<String, Double> run(JsonNode config, Path runDir, PrintStream log) throws Exception {
        return run(config, runDir, log, () -> false);
    }

    /**
     * Its steps write one metrics row each; after every step but the last it asks {@code stopRequested}
     * and, if told to, writes {@code checkpoints/step-N} and stops there, as a trainer does. A run
     * whose folder holds a checkpoint continues after its step ("toy: resumed after step N" in the log).
     */
    @Override
    public Map<String, Double> run(JsonNode config, Path runDir, PrintStream log, BooleanSupplier stopRequested)
            throws Exception {
        RUNS.incrementAndGet();
        JsonNode b = config.get("behaviour");
        // quarter-megabyte pieces: a 1 MB array is a G1 "humongous" object spanning two 1 MB regions
        // of a 1 GB heap, so 700 of them filled the heap (Java's OutOfMemoryError) before SLURM's
        // memory limit could act
        int megabytes = b.path("holdMb").asInt();
        byte[][] held = new byte[4 * megabytes][];
        for (int i = 0; i < held.length; i++) {
            held[i] = new byte[1 << 18];
            java.util.Arrays.fill(held[i], (byte) i); // touched, so resident
        }
        if (held.length > 0) {
            log.println("toy: holding " + megabytes + " MB");
            log.flush();
        }
        Thread.sleep(b.get("sleepMs").asLong());
        log.println("toy: held " + megabytes + " MB");
        if (b.get("exitCode").asInt() != 0) {
            log.println("toy: halting the JVM with code " + b.get("exitCode").asInt());
            log.flush();
            Runtime.getRuntime().halt(b.get("exitCode").asInt());
        }
        if (b.get("crash").asBoolean()) {
            throw new IllegalStateException("toy crash requested by behaviour.crash");
        }
        Path marker = runDir.resolve("failed-once");
        if (b.get("failOnce").asBoolean() && !Files.exists(marker)) {
            Files.createFile(marker);
            throw new IllegalStateException("transient toy failure");
        }
        // as the real experiments do, the run records the config it resolved, over the study's
        Files.writeString(runDir.resolve("config.json"),
                RunFiles.JSON.writeValueAsString(((com.fasterxml.jackson.databind.node.ObjectNode) config.deepCopy())
                        .put("resolvedBy", "toy")));
        int steps = config.get("train").get("steps").asInt();
        long seed = config.get("train").get("seed").asLong();
        int start = checkpointedStep(runDir);
        if (start == 0) {
            Files.deleteIfExists(runDir.resolve("metrics.jsonl"));
        } else {
            log.println("toy: resumed after step " + start);
        }
        try (MetricsLog metrics = MetricsLog.open(runDir.resolve("metrics.jsonl"))) {
            for (int step = start + 1; step <= steps; step++) {
                metrics.append(Map.of("step", step, "total", 10.0 / step + 0.01 * seed));
                if (step < steps && b.path("stepStops").asBoolean(true) && stopRequested.getAsBoolean()) {
                    Path checkpoint = Files.createDirectories(runDir.resolve("checkpoints/step-" + step));
                    throw new TrainingStoppedException(step, steps, runDir, checkpoint);
                }
            }
        }
        int width = config.get("model").get("width").asInt();
        double score = width + 10 * config.get("objective").get("itgWeight").asDouble()
                + config.get("train").get("noise").asDouble() * seed;
        log.println("toy: score " + score);
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("score", score);
        out.put("loss", 10.0 / steps);
        out.put("trainable_params", (double) width * width * config.get("model").get("depth").asInt());
        out.put("steps_per_s", 100.0);
        return out;
    }

    /** The step of a row of {@code metrics.jsonl}. */
    static long step(String row) {
        try {
            return RunFiles.JSON.readTree(row).get("step").asLong();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The step of the run folder's latest checkpoint, 0 when it has none. */
    private static int checkpointedStep(Path runDir) throws java.io.IOException {
        Path checkpoints = runDir.resolve("checkpoints");
        if (!Files.isDirectory(checkpoints)) {
            return 0;
        }
        try (java.util.stream.Stream<Path> s = Files.list(checkpoints)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("step-"))
                    .mapToInt(n -> Integer.parseInt(n.substring(5))).max().orElse(0);
        }
    }
}
