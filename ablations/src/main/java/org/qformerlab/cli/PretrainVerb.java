package org.qformerlab.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.qformerlab.blip2.train.Checkpoints;
import org.qformerlab.blip2.train.RunFolder;

/**
 * {@code qformerlab pretrain <target>}: makes one of the embedded default's frozen unimodal models
 * from scratch, the files the library ships and loads at run time. Targets: {@code vision}
 * ({@link PretrainVision}) and {@code language} ({@link PretrainLanguage}).
 */
public final class PretrainVerb implements Verb {

    @Override
    public String name() {
        return "pretrain";
    }

    @Override
    public String summary() {
        return "make a frozen unimodal model of the embedded default (vision or language) and write its files";
    }

    @Override
    public String usage() {
        return "usage: qformerlab pretrain <target> [options]\n\ntargets:\n  vision     " + PretrainVision.SUMMARY
                + "\n  language   " + PretrainLanguage.SUMMARY + "\n\n" + PretrainVision.USAGE + "\n" + PretrainLanguage.USAGE;
    }

    /** The usage lines of the options that keep a pretraining's checkpoints ({@link #runFolder}). */
    static final String RUN_OPTIONS = """
              --run DIR          keep the training's checkpoints (DIR/checkpoints/step-N: weights, AdamW
                                 moments, state.json; the two newest) and its log (DIR/metrics.jsonl,
                                 one row per step) in DIR; without it they go to a temporary folder
                                 that is deleted at the end
              --checkpoint-every N  with --run: a checkpoint every N steps (default 100) and at the end
              --resume           continue the run in --run DIR from its latest checkpoint, ending bit
                                 for bit where an uninterrupted run ends; give the options the run
                                 started with (another recipe is refused)
            """;

    /**
     * Where a pretraining keeps its checkpoints, from {@code --run}, {@code --resume} and
     * {@code --checkpoint-every}: a temporary folder without {@code --run}. A named folder that holds
     * checkpoints is continued with {@code --resume} and never started over silently.
     */
    static RunFolder runFolder(Args args) {
        Path run = args.folder("run");
        boolean resume = args.flag("resume");
        boolean everyGiven = args.has("checkpoint-every");
        int every = args.integer("checkpoint-every", RunFolder.CHECKPOINT_EVERY);
        if (run == null) {
            if (resume) {
                throw new Args.UsageException("--resume continues the run in a folder: name it with --run DIR");
            }
            if (everyGiven) {
                throw new Args.UsageException("--checkpoint-every needs --run DIR, the folder the checkpoints go to");
            }
            return RunFolder.temporary();
        }
        if (every < 0) {
            throw new Args.UsageException("--checkpoint-every must be 0 (at the end only) or more, got " + every);
        }
        Path latest = new Checkpoints(run).latest();
        if (resume && latest == null) {
            throw new Args.UsageException("nothing to resume in " + run + ": it holds no checkpoint; drop --resume to start");
        }
        if (!resume && latest != null) {
            throw new Args.UsageException(run + " holds the checkpoints of an earlier run (latest " + latest.getFileName()
                    + "): add --resume to continue it, or name another --run folder to start afresh");
        }
        return new RunFolder(run, resume, every, null);
    }

    @Override
    public int run(Args args, PrintStream out) throws Exception {
        List<String> targets = args.positional();
        if (targets.size() != 1) {
            throw new Args.UsageException("name one target (vision or language), got " + (targets.isEmpty() ? "none" : targets));
        }
        return switch (targets.get(0)) {
            case "vision" -> PretrainVision.run(args, out);
            case "language" -> PretrainLanguage.run(args, out);
            default -> throw new Args.UsageException("unknown target '" + targets.get(0)
                    + "': the targets are vision and language");
        };
    }
}
