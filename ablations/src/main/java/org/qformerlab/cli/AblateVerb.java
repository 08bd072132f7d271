package org.qformerlab.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import org.qformerlab.ablations.Executor;
import org.qformerlab.ablations.PilotPower;
import org.qformerlab.ablations.RunOptions;
import org.qformerlab.ablations.RunStatus;
import org.qformerlab.ablations.SlurmResources;
import org.qformerlab.ablations.SlurmSubmission;
import org.qformerlab.ablations.Study;
import org.qformerlab.ablations.StudyResults;
import org.qformerlab.ablations.StudyStatus;
import org.qformerlab.ablations.Variant;
import org.qformerlab.blip2.report.Tables;

/**
 * {@code qformerlab ablate <spec.yaml> [--quick] [--parallel N] [--out dir] [--report-only]
 * [--executor slurm ...] [--status] [--plan [--pilot DIR [--target X]]]}: runs an ablation study here
 * or as a SLURM job array, says where its runs stand, rebuilds its report from the runs it has, or
 * plans it with the power its seeds give.
 */
public final class AblateVerb implements Verb {

    @Override
    public String name() {
        return "ablate";
    }

    @Override
    public String summary() {
        return "run an ablation study (variants x seeds), here or on SLURM, and write its table, plots and report";
    }

    @Override
    public String usage() {
        return """
                usage: qformerlab ablate <spec.yaml> [--quick] [--parallel N] [--out DIR] [--isolate]
                                        [--plan [--pilot DIR [--target X]]] [--report-only] [--status]
                                        [--executor slurm [--wait] [--dry-run] [--cpus-per-task N] [--mem SIZE]
                                         [--time LIMIT] [--partition P] [--account A] [--gres G] [--array-limit N]
                                         [--sbatch OPTION ...] [--setup LINE ...]]

                Runs every variant x seed of the study spec (see ablations/studies/), each in its own
                folder DIR/runs/<variant>-seed<k>/ (config.json, log.txt, metrics.jsonl, result.json),
                then writes DIR/results.csv, results.md, runs.csv and report.md with its plots.
                Finished runs are skipped when run again; failed or interrupted ones are retried.

                  --quick        apply the spec's quick section (fewer steps/seeds); default DIR gets -quick
                  --parallel N   runs at once, each in a child JVM (default: the spec's parallel)
                  --out DIR      the study folder (default runs/ablations/<name>[-quick])
                  --isolate      child JVMs even one run at a time (a crash cannot stop the study)
                  --plan         check the spec and list the runs without running anything
                  --pilot DIR    with --plan: from the finished runs of a pilot study folder DIR (an
                                 earlier, smaller or partial run of the study), the spread of the
                                 headline's paired differences and so the minimum detectable effect
                                 (5% two-sided, 80% power) for 2..12 seeds and for the spec's seeds
                  --target X     with --pilot: the seeds needed for a detectable effect <= X (default 0.02)
                  --report-only  run nothing: rebuild the tables and report from the runs in DIR
                                 (after upgrading, or to look at a study that is still running)
                  --status       run nothing: show each run as pending, running, done or failed (with
                                 the reason), from the run folders and, for a SLURM study, squeue

                On a SLURM cluster (run it on the login node; DIR must be on the shared file system):
                  --executor slurm  submit the runs not done (and not queued) as one job array, one task
                                 per run, and return; run the same command again to resubmit what
                                 failed or was cancelled. The batch script is DIR/slurm/study.sbatch
                  --wait         wait for the array to finish, then write the tables and report
                  --dry-run      write the batch script (and get the run folders ready); submit nothing
                  --cpus-per-task N  CPUs (and PyTorch threads) per run (default 1)
                  --mem SIZE     memory per run, e.g. 8G (the run's Java heap gets half)
                  --time LIMIT   time limit per run: minutes, h:mm:ss or d-hh:mm:ss
                  --partition P, --account A, --gres G (e.g. gpu:1)
                  --array-limit N  at most N runs at once (--array=0-K%N)
                  --sbatch OPTION  one more #SBATCH option, dashes left out: --sbatch qos=short (repeatable)
                  --setup LINE   a shell line run before each run, e.g. 'module load java/17' (repeatable)
                The spec's slurm: section gives the same resources (cpusPerTask, mem, time, partition,
                account, gres, arrayLimit, sbatch, setup); the command line wins. See docs/cluster.md.

                Exit code: 0 when every run finished (or, with --executor slurm, the array was submitted),
                1 when some failed (they are in the table).""";
    }

    @Override
    public int run(Args args, PrintStream out) throws Exception {
        if (args.positional().size() != 1) {
            throw new Args.UsageException("give exactly one study spec file");
        }
        Path spec = Path.of(args.positional().get(0));
        RunOptions options = RunOptions.defaults()
                .withQuick(args.flag("quick"))
                .withIsolate(args.flag("isolate"))
                .withReportOnly(args.flag("report-only"))
                .withProgress(out);
        if (args.has("parallel")) {
            int n = args.integer("parallel", 1);
            if (n < 1) {
                throw new Args.UsageException("--parallel needs at least 1, got " + n);
            }
            options = options.withParallel(n);
        }
        Path outFolder = args.folder("out");
        if (outFolder != null) {
            options = options.withOut(outFolder);
        }
        Executor executor;
        try {
            executor = Executor.of(args.string("executor", "local"));
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException("--executor: " + e.getMessage());
        }
        options = options.withExecutor(executor);
        SlurmResources resources = slurmResources(args);
        boolean wait = args.flag("wait");
        boolean dryRun = args.flag("dry-run");
        boolean status = args.flag("status");
        boolean plan = args.flag("plan");
        Path pilot = args.has("pilot") ? Path.of(args.string("pilot", null)) : null;
        boolean hasTarget = args.has("target");
        double target = args.number("target", PilotPower.DEFAULT_TARGET);
        args.checkAllUsed();
        if (pilot != null && !plan) {
            throw new Args.UsageException("--pilot goes with --plan: qformerlab ablate " + spec + " --plan --pilot " + pilot);
        }
        if (hasTarget && pilot == null) {
            throw new Args.UsageException("--target needs a pilot to measure the spread: add --plan --pilot DIR");
        }
        if (!(target > 0) || Double.isInfinite(target)) {
            throw new Args.UsageException("--target needs a positive detectable effect, got " + target);
        }
        if (executor != Executor.SLURM) {
            if (!resources.equals(SlurmResources.defaults()) || wait || dryRun) {
                throw new Args.UsageException("--wait, --dry-run and the SLURM resource options need --executor slurm");
            }
        } else {
            if (options.parallel() != null) {
                throw new Args.UsageException("--parallel is for the local executor; with --executor slurm limit the"
                        + " runs at once with --array-limit N");
            }
            if (wait && dryRun) {
                throw new Args.UsageException("--dry-run submits nothing, so there is nothing to --wait for");
            }
            try {
                resources.check("--");
            } catch (IllegalArgumentException e) {
                throw new Args.UsageException(e.getMessage());
            }
            options = options.withSlurm(resources).withDryRun(dryRun);
        }

        Study study = Study.load(spec);
        if (plan) {
            Path folder = study.folder(options);
            out.println("study " + study.spec().name() + ": " + study.spec().question());
            for (Variant v : study.variants()) {
                out.println("  " + v.slug() + "  " + v.overrides());
            }
            out.println(study.plans(options.quick(), folder).size() + " runs under " + folder.resolve("runs"));
            int seeds = (options.quick() ? study.spec().quickSeedList() : study.spec().seedList()).size();
            if (pilot == null) {
                out.println("power: unknown without a pilot; give --pilot DIR (a finished or partial run of this study,"
                        + " e.g. its --quick folder) to state the detectable effect at " + seeds + " seeds");
            } else {
                out.print(PilotPower.read(study.spec(), pilot).text(seeds, target));
            }
            return 0;
        }
        if (status) {
            StudyStatus now = study.status(options);
            out.println("study " + study.spec().name() + " in " + now.folder() + ": " + now.summary());
            out.print(Tables.toMarkdown(now.table()));
            return now.count(RunStatus.State.FAILED) == 0 ? 0 : 1;
        }
        if (executor == Executor.SLURM && !wait && !options.reportOnly()) {
            SlurmSubmission submission = study.submit(options);
            if (submission.submitted()) {
                String again = "qformerlab ablate " + spec + (options.quick() ? " --quick" : "")
                        + (options.out() != null ? " --out " + options.out() : "");
                out.println("follow it with:   " + again + " --status");
                out.println("when it is done:  " + again + " --report-only");
            }
            return 0;
        }
        StudyResults results = study.run(options);
        out.println();
        out.print(Tables.toMarkdown(results.table()));
        out.println();
        out.println(results.headline().sentence());
        out.println(results.answer());
        out.println("report: " + results.report().toAbsolutePath());
        return results.failed() == 0 ? 0 : 1;
    }

    /** The SLURM resources given on the command line (each left out stays the spec's). */
    static SlurmResources slurmResources(Args args) {
        SlurmResources r = SlurmResources.defaults();
        if (args.has("cpus-per-task")) {
            r = r.withCpusPerTask(args.integer("cpus-per-task", 1));
        }
        if (args.has("array-limit")) {
            r = r.withArrayLimit(args.integer("array-limit", 1));
        }
        return r.withMem(args.string("mem", null)).withTime(args.string("time", null))
                .withPartition(args.string("partition", null)).withAccount(args.string("account", null))
                .withGres(args.string("gres", null)).withSbatch(args.strings("sbatch"))
                .withSetup(args.strings("setup"));
    }
}
