package org.qformerlab.kernel.display;

import org.qformerlab.kernel.jshell.CellThread;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.qformerlab.blip2.train.Trainer;

/**
 * What a training run looks like in a notebook: a progress bar (step, ETA, losses) and a live plot of
 * the loss terms, both updating in place, plus a line per evaluation. Plug it into the trainer:
 * {@code trainer.run(step, eval, TrainingDisplay.start("stage 1"), false)}; the {@code %train}
 * magic does exactly that.
 */
public final class TrainingDisplay implements Trainer.Listener {

    private final DisplaySink sink;
    private final String title;
    private final long progressIntervalMillis;
    private final long plotIntervalMillis;
    private ProgressDisplay bar;
    private LivePlot plot;
    private LivePlot metrics;

    TrainingDisplay(DisplaySink sink, String title, long progressIntervalMillis, long plotIntervalMillis) {
        this.sink = sink;
        this.title = title;
        this.progressIntervalMillis = progressIntervalMillis;
        this.plotIntervalMillis = plotIntervalMillis;
    }

    /** A display for the notebook (the bar and plot appear at the first step). */
    public static TrainingDisplay start(String title) {
        return new TrainingDisplay(Notebook.sink(), title, 250, 2000);
    }

    /** A display on {@code sink} with the given redraw intervals (0 = every step). */
    public static TrainingDisplay on(DisplaySink sink, String title, long progressIntervalMillis, long plotIntervalMillis) {
        return new TrainingDisplay(sink, title, progressIntervalMillis, plotIntervalMillis);
    }

    @Override
    public synchronized void onStep(Trainer.StepReport r) {
        if (bar == null) {
            bar = ProgressDisplay.start(sink, title, r.totalSteps(), progressIntervalMillis);
            plot = LivePlot.start(sink, title + ": losses", false, plotIntervalMillis);
        }
        CellThread.cooperate(r.step() < r.totalSteps()); // the trainer stops itself at step boundaries
        plot.addAll(r.step(), r.losses());
        String status = status(r);
        if (r.step() >= r.totalSteps()) {
            bar.finish(status);
            plot.finish();
        } else {
            bar.update(r.step(), status);
        }
    }

    /**
     * The notebook's stop button: once training runs, a first stop ends the run at the next step
     * boundary with a checkpoint (the trainer asks here after every step); a second stop forces.
     */
    @Override
    public boolean stopRequested() {
        return CellThread.stopAsked();
    }

    @Override
    public synchronized void onEvaluation(long step, Map<String, Double> values) {
        if (metrics == null) {
            metrics = LivePlot.start(sink, title + ": evaluation", false, 0);
        }
        metrics.addAll(step, values);
    }

    /** Draws the last state as stopped (call when the run was interrupted or failed). */
    public synchronized void stopped(String why) {
        CellThread.cooperate(false);
        if (bar != null) {
            bar.stopped(why);
            plot.finish();
        }
    }

    private static String status(Trainer.StepReport r) {
        Map<String, Double> shown = new LinkedHashMap<>(r.losses());
        StringBuilder sb = new StringBuilder();
        shown.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "%s %.4f  ", k, v)));
        sb.append(String.format(Locale.ROOT, "| %.2f steps/s | ETA %.0fs", r.stepsPerSecond(), r.etaSeconds()));
        return sb.toString();
    }
}
