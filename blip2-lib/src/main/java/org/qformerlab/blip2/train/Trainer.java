package org.qformerlab.blip2.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import org.qformerlab.blip2.checkpoint.AtomicFiles;
import org.qformerlab.blip2.config.Configs;
import org.qformerlab.blip2.nn.Autocast;
import org.qformerlab.blip2.nn.Backward;
import org.qformerlab.blip2.nn.LossScaler;
import org.qformerlab.blip2.nn.Module;
import org.qformerlab.blip2.nn.Precision;
import org.qformerlab.blip2.nn.Seeds;

/**
 * The training loop, shared by every loop of the library: stage 1 and stage 2, and the unimodal
 * pretrainings of the frozen image encoder and language model (through {@link RunFolder}). One
 * step, top to bottom:
 *
 * <ol>
 *   <li>seed the engine's random stream from (seed, step), so dropout and negative sampling of a
 *       step are the same whether or not the run was resumed;
 *   <li>open a scope (an {@link NDManager}) that owns every array of the step and is closed after it;
 *   <li>compute the losses, stop on a NaN or infinite term (before any update), back-propagate;
 *   <li>clip the global gradient norm; AdamW update at the scheduled learning rate. With
 *       {@code train.perLossMoments} and the objective's weights given ({@link #withLossWeights}),
 *       each weighted loss is back-propagated on its own, clipped on its own and given its own AdamW
 *       moments ({@link AdamW#perLoss}), and the weights change once, after the last loss;
 *   <li>log; every N steps evaluate and checkpoint.
 * </ol>
 *
 * <h2>Mixed precision ({@code train.precision})</h2>
 *
 * With {@code float16} or {@code bfloat16} the step function runs inside an {@link Autocast}: its
 * linear layers and matrix products compute in the reduced format from float32 master weights,
 * its softmaxes, norms and losses in float32, and the gradients arrive in the float32 weights,
 * where clipping and AdamW (float32 moments) work as in a float32 run. float16 adds a dynamic
 * {@link LossScaler}: the total is scaled before the backward pass and the gradients unscaled
 * before clipping; a step whose gradients overflowed is skipped (no update) and the scale halved,
 * the log row says {@code skipped}, and the scale is kept in each checkpoint. A float16 run stops
 * as diverged only when its loss is not finite, or when its gradients overflow at every scale
 * ({@link LossScaler#exhausted}). The precision is checked against the model's device first
 * ({@link Precision#check}): a CPU refuses reduced formats with a one-line message.
 *
 * The step function must pick its batch as a function of the step index (the batch sampler does;
 * {@link BatchSource#replaying} makes any seeded sequential draw one),
 * which makes {@code N} steps and {@code N/2 + resume + N/2} the same run. A resumed run continues from
 * the newest whole checkpoint ({@link Checkpoints#resume}: a damaged one is named and passed over);
 * a new run in a folder that holds checkpoints forgets which of them is the latest.
 */
public final class Trainer {

    /** The fields of a training step's row in {@code metrics.jsonl} beside the step's losses. */
    public static final String STEP = "step";
    public static final String LEARNING_RATE = "lr";
    public static final String GRAD_NORM = "grad_norm";
    /** The RMS of the step's change of the trainable weights ({@link UpdateSize}), on log steps. */
    public static final String UPDATE_RMS = "update_rms";
    public static final String STEPS_PER_SECOND = "steps_per_s";
    /** float16 runs only: the loss scale of the step, and whether the step was skipped for an overflow. */
    public static final String LOSS_SCALE = "loss_scale";
    public static final String SKIPPED = "skipped";
    /** The keys of a training row that are not loss terms: the step and what the trainer measured. */
    public static final List<String> BOOKKEEPING = List.of(STEP, LEARNING_RATE, GRAD_NORM, UPDATE_RMS,
            STEPS_PER_SECOND, LOSS_SCALE, SKIPPED);

    /** Computes one step's named losses (including {@code total}) inside {@code scope}. */
    public interface StepFunction {
        Map<String, NDArray> losses(NDManager scope, long step);
    }

    /** Evaluates the model; returns named metrics. */
    public interface Evaluator {
        Map<String, Double> evaluate(long step);
    }

    /** Hears about progress (console line, notebook progress bar, live plot). */
    public interface Listener {
        default void onStep(StepReport report) {}

        default void onEvaluation(long step, Map<String, Double> metrics) {}

        /**
         * Asked after every step: true stops the run there, after a checkpoint, with a
         * {@link TrainingStoppedException} that says how to resume (a notebook's stop button).
         */
        default boolean stopRequested() {
            return false;
        }

        /** Where a resumed run continues, and which damaged checkpoints it passed over ({@link Checkpoints.Resumed#line}). */
        default void onResume(String line) {}

        /** This listener, then {@code other} (this one alone when {@code other} is null); stops when either asks. */
        default Listener and(Listener other) {
            if (other == null) {
                return this;
            }
            Listener first = this;
            return new Listener() {
                @Override
                public void onStep(StepReport report) {
                    first.onStep(report);
                    other.onStep(report);
                }

                @Override
                public void onEvaluation(long step, Map<String, Double> metrics) {
                    first.onEvaluation(step, metrics);
                    other.onEvaluation(step, metrics);
                }

                @Override
                public boolean stopRequested() {
                    return first.stopRequested() | other.stopRequested(); // both are asked
                }

                @Override
                public void onResume(String line) {
                    first.onResume(line);
                    other.onResume(line);
                }
            };
        }
    }

    /** What one step reports. */
    public record StepReport(
            long step, int totalSteps, Map<String, Double> losses, double learningRate, double gradNorm,
            double stepsPerSecond, double etaSeconds) {

        /** {@code step 120/1500 | total 3.21 itc 1.10 itm 0.60 itg 1.51 | lr 3.0e-04 | 4.2 steps/s | ETA 5m28s} */
        public String line() {
            StringBuilder sb = new StringBuilder(String.format("step %d/%d |", step, totalSteps));
            losses.forEach((k, v) -> sb.append(String.format(" %s %.4f", k, v)));
            sb.append(String.format(" | lr %.1e | %.2f steps/s | ETA %s", learningRate, stepsPerSecond, eta(etaSeconds)));
            return sb.toString();
        }

        private static String eta(double s) {
            long t = Math.round(s);
            return t >= 60 ? (t / 60) + "m" + String.format("%02d", t % 60) + "s" : t + "s";
        }
    }

    /** The outcome of a run. */
    public record Result(
            long steps, Map<String, Double> finalLosses, List<Map<String, Double>> evaluations,
            double seconds, double stepsPerSecond, Path lastCheckpoint, boolean resumed) {}

    /** A listener that prints the progress line every {@code logEvery} steps. */
    public static Listener console(PrintStream out, int logEvery) {
        return console(out, logEvery, StepReport::line);
    }

    /**
     * A listener that prints {@code line} of every {@code logEvery}-th step and of the last, the
     * evaluations, and where a resumed run continues.
     */
    public static Listener console(PrintStream out, int logEvery, Function<StepReport, String> line) {
        return new Listener() {
            @Override
            public void onStep(StepReport r) {
                if (r.step() % logEvery == 0 || r.step() == r.totalSteps()) {
                    out.println(line.apply(r));
                }
            }

            @Override
            public void onEvaluation(long step, Map<String, Double> metrics) {
                out.println("eval @ step " + step + ": " + metrics);
            }

            @Override
            public void onResume(String line) {
                out.println(line);
            }
        };
    }

    private final TrainConfig config;
    private final Module model;
    private final Path runDir;
    private final Map<String, Object> runInfo;
    private Map<String, Double> lossWeights = Map.of();
    private Map<String, Double> learningRateScales = Map.of();
    private LossScaler lossScaler; // null: the precision's own (LossScaler#forPrecision)

    /**
     * @param runInfo facts stored with every checkpoint (the experiment config, data identity)
     */
    public Trainer(TrainConfig config, Module model, Path runDir, Map<String, Object> runInfo) {
        this.config = config;
        this.model = model;
        this.runDir = runDir;
        this.runInfo = runInfo;
    }

    /**
     * The objective's weighted terms: the step function's {@code total} is {@code sum w * term} over
     * these names. Needed for {@code train.perLossMoments}, which back-propagates each term on its own
     * and scales its step by its weight; ignored otherwise, and when there is only one term.
     *
     * @return this trainer
     */
    public Trainer withLossWeights(Map<String, Double> weights) {
        weights.forEach((name, w) -> {
            if (!(w > 0) || !Double.isFinite(w)) {
                throw new IllegalArgumentException("loss weight of '" + name + "' is " + w
                        + "; give only the terms the objective computes, with positive weights");
            }
        });
        this.lossWeights = new LinkedHashMap<>(weights);
        return this;
    }

    /**
     * Parameters whose name ends with a key step at that multiple of the scheduled learning rate
     * ({@link AdamW#withLearningRateScales}: a parameter group with its own rate); a key that ends no
     * trainable parameter's name is refused when the run starts.
     *
     * @return this trainer
     */
    public Trainer withLearningRateScales(Map<String, Double> scales) {
        this.learningRateScales = new LinkedHashMap<>(scales);
        return this;
    }

    /**
     * The loss scaler of a float16 run, in place of {@link LossScaler#dynamic()} (start at 2^16,
     * double after 2000 clean steps): another start or growth interval, for experts and tests.
     * Ignored unless {@code train.precision} is float16.
     *
     * @return this trainer
     */
    public Trainer withLossScaler(LossScaler scaler) {
        if (!scaler.enabled()) {
            throw new IllegalArgumentException("give a dynamic loss scaler (LossScaler.dynamic); float32 and bfloat16"
                    + " runs use none");
        }
        this.lossScaler = scaler;
        return this;
    }

    /** Whether this run keeps one pair of AdamW moments per loss. */
    private boolean perLoss() {
        return config.perLossMoments() && lossWeights.size() > 1;
    }

    /** Trains from scratch, or from the run folder's latest checkpoint when {@code resume} is set. */
    public Result run(StepFunction stepFunction, Evaluator evaluator, Listener listener, boolean resume) {
        Checkpoints checkpoints = new Checkpoints(runDir);
        List<Parameter> trainable = model.namedParameters().values().stream()
                .filter(Parameter::requiresGradient).toList();
        LearningRateSchedule schedule = LearningRateSchedule.of(config);
        Path metricsFile = runDir.resolve("metrics.jsonl");
        NDManager modelManager = trainable.get(0).getArray().getManager();
        Device device = trainable.get(0).getArray().getDevice();
        Precision precision = config.computePrecision().check(device); // before anything is cast
        LossScaler scaler = precision == Precision.FLOAT16 && lossScaler != null ? lossScaler
                : LossScaler.forPrecision(precision);

        try (AdamW optimizer = perLoss()
                ? AdamW.perLoss(model.namedParameters(), List.copyOf(lossWeights.keySet()), config.beta1(),
                        config.beta2(), config.epsilon(), config.weightDecay())
                : new AdamW(model.namedParameters(), config.beta1(), config.beta2(), config.epsilon(),
                        config.weightDecay())) {
            optimizer.withLearningRateScales(learningRateScales);
            long start = 0;
            Path lastCheckpoint = null;
            boolean resumed = false;
            Checkpoints.Resumed from = resume ? checkpoints.resume(model, optimizer) : null;
            if (from != null) {
                lastCheckpoint = from.folder();
                start = from.step();
                resumed = true;
                restoreScale(scaler, from);
                listener.onResume(from.line());
                truncateLog(metricsFile, start);
            } else {
                checkpoints.forgetLatest(); // a new run: an earlier run's checkpoints are not its own to resume
                deleteIfExists(metricsFile);
            }

            List<Map<String, Double>> evaluations = new ArrayList<>();
            Map<String, Double> losses = Map.of();
            long t0 = System.nanoTime();
            try (MetricsLog log = MetricsLog.open(metricsFile)) {
                for (long step = start; step < config.steps(); step++) {
                    Seeds.set(config.seed() * 1_000_003L + step);
                    double lr = schedule.at(step);
                    double gradNorm;
                    double diverged = 0;
                    double updateRms = Double.NaN;
                    boolean measure = (step + 1) % config.logEvery() == 0;
                    boolean skipped = false;
                    double lossScale = scaler.scale();
                    try (NDManager scope = modelManager.newSubManager()) {
                        List<NDArray> before = measure ? UpdateSize.before(trainable, scope) : null;
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            Map<String, NDArray> terms = forward(stepFunction, scope, step, precision);
                            losses = values(terms);
                            for (Map.Entry<String, Double> e : losses.entrySet()) {
                                if (!Double.isFinite(e.getValue())) {
                                    throw new TrainingDivergedException(step + 1, "loss term '" + e.getKey() + "'",
                                            e.getValue(), path(lastCheckpoint));
                                }
                            }
                            if (perLoss()) { // back-propagates, clips and updates loss by loss
                                gradNorm = perLossStep(terms, optimizer, lr, trainable, scope, step, lastCheckpoint);
                            } else {
                                gc.backward(scaler.scale(terms.get("total")));
                                scaler.unscale(trainable); // clipping sees the true gradients
                                gradNorm = GradientClipping.clip(trainable, config.gradClipNorm(), scope);
                                boolean finite = Double.isFinite(gradNorm);
                                if (scaler.update(finite)) {
                                    optimizer.step(lr);
                                } else if (scaler.enabled() && !scaler.exhausted()) {
                                    skipped = true; // float16 overflow: no update; the scale was halved
                                    optimizer.zeroGradients();
                                } else {
                                    diverged = gradNorm;
                                }
                            }
                        }
                        if (measure && Double.isFinite(diverged)) {
                            updateRms = UpdateSize.rms(trainable, before, scope);
                        }
                    }
                    if (!Double.isFinite(diverged)) { // outside the step's collector: blame recomputes the step
                        double value = nonFiniteGradients(modelManager).value(diverged);
                        optimizer.zeroGradients();
                        throw new TrainingDivergedException(step + 1, "the gradient of loss term "
                                + blame(stepFunction, step, modelManager, trainable, optimizer), value,
                                path(lastCheckpoint));
                    }
                    long done = step + 1;
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    double rate = (done - start) / Math.max(seconds, 1e-9);
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put(STEP, done);
                    losses.forEach(row::put);
                    row.put(LEARNING_RATE, lr);
                    row.put(GRAD_NORM, gradNorm);
                    if (measure) {
                        row.put(UPDATE_RMS, updateRms);
                    }
                    row.put(STEPS_PER_SECOND, rate);
                    if (scaler.enabled()) {
                        row.put(LOSS_SCALE, lossScale);
                        row.put(SKIPPED, skipped);
                    }
                    log.append(row);
                    listener.onStep(new StepReport(done, config.steps(), losses, lr, gradNorm, rate,
                            (config.steps() - done) / rate));

                    boolean last = done == config.steps();
                    if (evaluator != null && (last || (config.evalEvery() > 0 && done % config.evalEvery() == 0))) {
                        Map<String, Double> metrics = new LinkedHashMap<>(evaluator.evaluate(done));
                        Map<String, Object> evalRow = new LinkedHashMap<>();
                        evalRow.put("step", done);
                        evalRow.put("eval", true);
                        metrics.forEach(evalRow::put);
                        log.append(evalRow);
                        metrics.put("step", (double) done);
                        evaluations.add(metrics);
                        listener.onEvaluation(done, metrics);
                    }
                    if (last || (config.checkpointEvery() > 0 && done % config.checkpointEvery() == 0)) {
                        lastCheckpoint = checkpoints.save(done, model, optimizer, checkpointState(scaler));
                    }
                    if (!last && listener.stopRequested()) { // stop keeps the work: a checkpoint at this step
                        Path checkpoint = checkpoints.save(done, model, optimizer, checkpointState(scaler));
                        throw new TrainingStoppedException(done, config.steps(), runDir, checkpoint);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + metricsFile + ": " + e.getMessage(), e);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            return new Result(config.steps(), losses, evaluations, seconds,
                    (config.steps() - start) / Math.max(seconds, 1e-9), lastCheckpoint, resumed);
        }
    }

    /** The step's losses, computed under an autocast to the run's precision (none for float32). */
    private static Map<String, NDArray> forward(StepFunction stepFunction, NDManager scope, long step,
                                                Precision precision) {
        try (Autocast ignored = Autocast.open(precision, scope)) {
            return stepFunction.losses(scope, step);
        }
    }

    /**
     * What a checkpoint stores beside the weights and moments: the run's facts, its seed and train
     * config, and a float16 run's loss scale, so that a resumed run continues with it.
     */
    private Map<String, Object> checkpointState(LossScaler scaler) {
        Map<String, Object> state = new LinkedHashMap<>(runInfo);
        state.put("seed", config.seed());
        state.put("train", config);
        if (scaler.enabled()) {
            state.put("lossScale", Map.of("scale", scaler.scale(), "cleanSteps", scaler.cleanSteps(),
                    "skippedSteps", scaler.skippedSteps()));
        }
        return state;
    }

    /** Continues with the loss scale the checkpoint holds (a float32 or bfloat16 checkpoint has none). */
    private static void restoreScale(LossScaler scaler, Checkpoints.Resumed from) {
        JsonNode s = from.state() == null ? null : from.state().get("lossScale");
        if (scaler.enabled() && s != null && s.isObject()) {
            scaler.restore(s.path("scale").asDouble(LossScaler.INITIAL_SCALE), s.path("cleanSteps").asInt(0),
                    s.path("skippedSteps").asLong(0));
        }
    }

    /** One step with moments per loss; a NaN or infinite gradient stops the run naming its loss. */
    private double perLossStep(Map<String, NDArray> terms, AdamW optimizer, double lr, List<Parameter> trainable,
            NDManager scope, long step, Path lastCheckpoint) {
        return perLossUpdate(terms, lossWeights, optimizer, lr,
                loss -> clipOrStop(trainable, optimizer, scope, step, " of loss term '" + loss + "'", lastCheckpoint));
    }

    /**
     * The update of one step with one pair of moments per loss ({@link AdamW#perLoss}): each weighted
     * term is back-propagated alone (the graph is kept for the next), clipped alone and accumulated
     * with its own moments; the update is applied after the last. Call it inside a gradient collector.
     *
     * @param terms the step's loss terms by name (more may be present, such as {@code total})
     * @param weights each back-propagated term's weight, in the order of the optimizer's losses
     * @param clip clips the gradients now in the parameters, which are the named loss's, and returns
     *     their norm before clipping
     * @return the norm of the per-loss gradient norms
     */
    public static double perLossUpdate(Map<String, NDArray> terms, Map<String, Double> weights, AdamW optimizer,
            double lr, ToDoubleFunction<String> clip) {
        List<String> names = optimizer.losses();
        double squares = 0;
        for (int j = 0; j < names.size(); j++) {
            String name = names.get(j);
            NDArray term = terms.get(name);
            if (term == null) {
                throw new IllegalStateException("train.perLossMoments: the step function returned no loss '" + name
                        + "' (it returned " + terms.keySet() + "); the loss weights must name the terms it computes");
            }
            Backward.of(term, j < names.size() - 1);
            double norm = clip.applyAsDouble(name);
            squares += norm * norm;
            optimizer.accumulate(name, weights.get(name), lr);
        }
        optimizer.apply(lr);
        return Math.sqrt(squares);
    }

    /**
     * Clips the gradients in the parameters to the global norm {@code gradClipNorm}; a NaN or infinite
     * gradient stops the run before any update, naming the parameters ({@code which} names the loss).
     */
    private double clipOrStop(List<Parameter> trainable, AdamW optimizer, NDManager scope, long step, String which,
            Path lastCheckpoint) {
        double norm = GradientClipping.clip(trainable, config.gradClipNorm(), scope);
        if (!Double.isFinite(norm)) {
            NonFinite bad = nonFiniteGradients(scope);
            optimizer.zeroGradients();
            throw new TrainingDivergedException(step + 1, "the gradient" + which + " (non-finite in " + bad.where() + ")",
                    bad.value(norm), path(lastCheckpoint));
        }
        return norm;
    }

    /**
     * Which loss terms have a non-finite gradient at {@code step}, with the parameters it is in: with
     * one pair of moments only the total's gradient was computed, so the step is computed again (same
     * seed, same batch: it is a function of the step) and each term back-propagated alone. Runs only
     * after a divergence; the gradients are cleared after it.
     */
    private String blame(StepFunction stepFunction, long step, NDManager modelManager, List<Parameter> trainable,
                         AdamW optimizer) {
        Seeds.set(config.seed() * 1_000_003L + step);
        List<String> blamed = new ArrayList<>();
        try (NDManager scope = modelManager.newSubManager();
             GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            Map<String, NDArray> terms = forward(stepFunction, scope, step, config.computePrecision());
            List<String> names = terms.keySet().stream()
                    .filter(n -> lossWeights.isEmpty() ? !n.equals("total") || terms.size() == 1 : lossWeights.containsKey(n))
                    .toList();
            for (int j = 0; j < names.size(); j++) {
                Backward.of(terms.get(names.get(j)), j < names.size() - 1);
                if (!Double.isFinite(GradientClipping.clip(trainable, 0, scope))) {
                    blamed.add("'" + names.get(j) + "' (non-finite in " + nonFiniteGradients(scope).where() + ")");
                }
                optimizer.zeroGradients();
            }
        } catch (RuntimeException e) { // another engine, or a step that fails the second time: the total is all we know
            optimizer.zeroGradients();
            return "'total' (" + e.getMessage() + " when recomputing the step to find the term)";
        }
        return blamed.isEmpty() ? "'total' (no single term's gradient is non-finite)" : String.join(" and ", blamed);
    }

    /**
     * The parameters whose gradient holds a NaN or an infinity ({@code where}, for the divergence
     * message), and whether any holds a NaN.
     */
    private record NonFinite(String where, boolean nan) {
        /**
         * What the gradient became: NaN when any gradient holds one, else the norm (infinite). The norm
         * alone does not say which: a step whose gradient held NaNs once reported an infinite norm.
         */
        double value(double norm) {
            return nan ? Double.NaN : norm;
        }
    }

    private NonFinite nonFiniteGradients(NDManager scope) {
        List<String> bad = new ArrayList<>();
        boolean nan = false;
        try (NDManager s = scope.newSubManager()) {
            for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
                if (!e.getValue().requiresGradient()) {
                    continue;
                }
                NDArray g = e.getValue().getArray().getGradient();
                g.attach(s);
                boolean hasNaN = g.isNaN().any().getBoolean();
                if (hasNaN || g.isInfinite().any().getBoolean()) {
                    bad.add(e.getKey());
                }
                nan |= hasNaN;
            }
        }
        return new NonFinite(bad.size() > 6 ? bad.subList(0, 6) + " and " + (bad.size() - 6) + " more" : bad.toString(), nan);
    }

    private static Map<String, Double> values(Map<String, NDArray> terms) {
        if (!terms.containsKey("total")) {
            throw new IllegalStateException("the step function must return a 'total' loss; got " + terms.keySet());
        }
        Map<String, Double> out = new LinkedHashMap<>();
        // a term an autocast left in float16 or bfloat16 is read as float32
        terms.forEach((k, v) -> out.put(k, (double) (v.getDataType() == DataType.FLOAT32 ? v
                : v.toType(DataType.FLOAT32, false)).getFloat()));
        return out;
    }

    private static String path(Path p) {
        return p == null ? null : p.toString();
    }

    /**
     * After a resume, rows written after the checkpoint (by the interrupted run) are dropped, with a
     * line the interrupted run was killed in the middle of and rows written after training ended
     * ({@link MetricsLog#FINAL}); the resumed run writes them again.
     */
    private static void truncateLog(Path file, long step) {
        if (!Files.exists(file)) {
            return;
        }
        try {
            List<String> keep = new ArrayList<>();
            for (Map<String, Object> row : MetricsLog.readCompleteLines(file)) {
                if (((Number) row.get("step")).longValue() <= step && !row.containsKey(MetricsLog.FINAL)) {
                    keep.add(Configs.JSON.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(row));
                }
            }
            AtomicFiles.writeString(file, keep.isEmpty() ? "" : String.join("\n", keep) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite " + file + " for resuming: " + e.getMessage(), e);
        }
    }

    private static void deleteIfExists(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
