package org.qformerlab.cli;

import java.io.PrintStream;

/** One command of the {@code qformerlab} command line (quickstart, bench, ablate, ...). */
public interface Verb {

    /** The word that selects it. */
    String name();

    /** One line for the help listing. */
    String summary();

    /** Full usage text, printed for {@code --help} and after a usage error. */
    String usage();

    /** Runs with the arguments after the verb; returns the process exit code. */
    int run(Args args, PrintStream out) throws Exception;
}
