package org.qformerlab.cli;

import java.io.PrintStream;
import java.util.List;

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
