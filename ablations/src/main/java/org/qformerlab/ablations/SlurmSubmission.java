package org.qformerlab.ablations;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link Study#submit} did.
 *
 * @param job the job array's id; {@code null} when nothing was submitted (a dry run, or nothing to do)
 * @param script the batch script written into the study folder; {@code null} when there was nothing to submit
 * @param runs the runs submitted (or, in a dry run, that would be), task 0 first
 * @param done runs already done, not submitted again
 * @param inQueue runs still pending or running from an earlier submission, not submitted again
 */
public record SlurmSubmission(String job, Path script, List<String> runs, int done, int inQueue) {

    public SlurmSubmission {
        runs = List.copyOf(runs);
    }

    /** Whether a job array went to SLURM. */
    public boolean submitted() {
        return job != null;
    }
}
