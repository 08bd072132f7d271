package org.qformerlab.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import org.qformerlab.ablations.RunOptions;
import org.qformerlab.ablations.Study;
import org.qformerlab.ablations.StudyResults;
import org.qformerlab.ablations.Variant;
import org.qformerlab.blip2.report.Tables;

/**
 * {@code qformerlab ablate <spec.yaml> [--quick] [--parallel N] [--out dir] [--report-only]}: runs an ablation
 * study, or rebuilds its report from the runs it has.
 */
public final class AblateVerb implements Verb {

    @Override
    public String name() {
        return "ablate";
    }

    @Override
    public String summary() {
        return "run an ablation study (variants x seeds) and write its table, plots and report";
    }

    @Override
    public String usage() {
        return """
                usage: qformerlab ablate <spec.yaml> [--quick] [--parallel N] [--out DIR] [--isolate] [--plan]
                                        [--report-only]

                Runs every variant x seed of the study spec (see ablations/studies/), each in its own
                folder DIR/runs/<variant>-seed<k>/ (config.json, log.txt, metrics.jsonl, result.json),
                then writes DIR/results.csv, results.md, runs.csv and report.md with its plots.
                Finished runs are skipped when run again; failed or interrupted ones are retried.

                  --quick        apply the spec's quick section (fewer steps/seeds); default DIR gets -quick
                  --parallel N   runs at once, each in a child JVM (default: the spec's parallel)
                  --out DIR      the study folder (default runs/ablations/<name>[-quick])
                  --isolate      child JVMs even one run at a time (a crash cannot stop the study)
                  --plan         check the spec and list the runs without running anything
                  --report-only  run nothing: rebuild the tables and report from the runs in DIR
                                 (after upgrading, or to look at a study that is still running)

                Exit code: 0 when every run finished, 1 when some failed (they are in the table).""";
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
        boolean plan = args.flag("plan");
        args.checkAllUsed();

        Study study = Study.load(spec);
        if (plan) {
            Path folder = options.out() != null ? options.out() : study.defaultFolder(options.quick());
            out.println("study " + study.spec().name() + ": " + study.spec().question());
            for (Variant v : study.variants()) {
                out.println("  " + v.slug() + "  " + v.overrides());
            }
            out.println(study.plans(options.quick(), folder).size() + " runs under " + folder.resolve("runs"));
            return 0;
        }
        StudyResults results = study.run(options);
        out.println();
        out.print(Tables.toMarkdown(results.table()));
        out.println();
        out.println(results.answer());
        out.println("report: " + results.report().toAbsolutePath());
        return results.failed() == 0 ? 0 : 1;
    }
}
