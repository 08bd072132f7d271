package org.qformerlab.kernel.magic;

import java.util.List;

/**
 * {@code %train stage1|stage2 [--from RUN_DIR|--scratch] [--steps N --seed S --set path=value ...
 * --out DIR --as NAME]}: trains a variant with a live progress bar and loss plot and binds the run's
 * result. Each stage is a {@link MagicTask} listed in {@link #standard()}.
 */
public final class TrainMagic implements Magic {

    private final Tasks tasks;
    private final MagicSpec spec;

    public TrainMagic(List<MagicTask> stages) {
        this.tasks = new Tasks(stages);
        this.spec = new MagicSpec("train", false, tasks.choices(),
                "train a variant with a live progress bar and loss plot; binds the result",
                """
                Trains the notebook's variant and shows a progress bar (step, losses, steps/s, ETA) and a
                plot of every loss term, both updating in place, then a line of results. The config is
                the embedded preset (or the last %%config experiment), with the Q-Former built by
                %qformer / %%config qformer and the objective of %%config objective when those ran,
                then --steps, --seed and --set (any dotted path of ExperimentConfig). The result is
                bound to a variable (default `run`, `run2` for stage 2) and is what %eval evaluates.
                Stage 2 starts its Q-Former from the last %train stage1 of the notebook (its config too),
                from a stage-1 run folder (--from) or from random weights (--scratch); there --steps and
                --seed mean stage2.train.steps / stage2.train.seed. Runs are written to
                runs/notebook/<stage>-<date>-<time>/ (config, metrics.jsonl, checkpoint, report.md).
                The stop button ends training at the next step boundary: a checkpoint is written, the
                stopped run is bound (StoppedRun) and the cell says how to resume (--resume RUN_DIR);
                pressing stop a second time forces the cell to end at once.
                Under QFORMERLAB_QUICK=1 (the tests) the world and the steps are cut to seconds and the
                run goes to runs/tests/<stage>/, emptied first.
                Stages:""" + tasks.describe(),
                List.of(
                        MagicOption.valued("steps", "N", "training steps"),
                        MagicOption.valued("seed", "S", "seed of initialisation, batches, dropout and negatives"),
                        MagicOption.repeated("set", "PATH=VALUE", "change a config field, e.g. qformer.numQueries=8"),
                        MagicOption.valued("out", "DIR", "the run folder (default runs/notebook/<stage>-<time>)"),
                        MagicOption.valued("from", "RUN_DIR", "stage 2: start the Q-Former from this stage-1 run folder"),
                        MagicOption.flag("scratch", "stage 2: start the Q-Former from random weights"),
                        MagicOption.valued("resume", "RUN_DIR", "continue a stopped run (stage 1 or 2) from its last checkpoint"),
                        MagicOption.valued("as", "NAME", "variable to bind the result to (default run; run2 for stage 2)")),
                List.of("%train stage1 --steps 200", "%train stage1 --steps 100 --set objective.itgWeight=0 --as noItg",
                        "%train stage2 --steps 300", "%train stage2 --scratch --steps 300 --as scratch"));
    }

    /** Stage 1 and stage 2. */
    public static TrainMagic standard() {
        return new TrainMagic(List.of(new Stage1Training(), new Stage2Training()));
    }

    @Override
    public MagicSpec spec() {
        return spec;
    }

    @Override
    public void run(MagicArgs args, String body, MagicContext context) throws Exception {
        tasks.run(args, context);
    }
}
