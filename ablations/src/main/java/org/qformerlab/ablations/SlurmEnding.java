package org.qformerlab.ablations;

import java.util.List;
import java.util.Locale;

/**
 * Why a SLURM task ended without writing its run's result, read from the task's output file, where
 * {@code slurmstepd} writes its verdict, for example
 * {@code *** JOB 3 ON node1 CANCELLED AT 2026-12-07T11:44:27 DUE TO TIME LIMIT ***} or
 * {@code StepId=2.batch exceeded memory limit (174137344 > 104857600), being killed}. Needs no
 * accounting database.
 */
final class SlurmEnding {

    private SlurmEnding() {
    }

    /**
     * A one-line reason.
     *
     * @param output the task's output file, {@code null} when there is none (the task never started)
     * @param asked the resources the task was submitted with (named in the reason)
     */
    static String reason(String output, SlurmResources asked) {
        if (output == null) {
            return "left SLURM's queue without starting (cancelled while pending, or it could not start);"
                    + " submit again to run it";
        }
        String text = output.toLowerCase(Locale.ROOT);
        if (text.contains("exceeded memory limit") || text.contains("oom-kill") || text.contains("oom_kill")
                || text.contains("out-of-memory") || text.contains("out of memory")) {
            return "killed by SLURM: out of memory (--mem " + (asked.mem() == null ? "the partition's default" : asked.mem())
                    + "); ask for more with --mem";
        }
        if (text.contains("due to time limit")) {
            return "killed by SLURM: time limit (--time " + (asked.time() == null ? "the partition's default" : asked.time())
                    + ") reached; ask for more with --time";
        }
        if (text.contains("due to node fail")) {
            return "lost to a node failure; submit again to run it";
        }
        if (text.contains("due to preemption")) {
            return "preempted by SLURM; submit again to run it";
        }
        if (text.contains("cancelled at")) {
            return "cancelled (scancel) while running; submit again to run it";
        }
        return "its SLURM task ended without writing result.json" + lastLine(output);
    }

    private static String lastLine(String output) {
        List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
        return lines.isEmpty() ? " and printed nothing" : "; its last output: " + lines.get(lines.size() - 1).strip();
    }
}
