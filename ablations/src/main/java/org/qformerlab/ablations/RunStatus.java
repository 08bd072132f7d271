package org.qformerlab.ablations;

import java.util.Locale;

/**
 * Where one run of a study stands.
 *
 * @param run the run folder's name, e.g. {@code width-8-seed2}
 * @param variant the variant's name
 * @param seed the seed
 * @param state pending, running, done or failed
 * @param task the SLURM array task that runs or ran it ({@code 12_3}); {@code null} when never submitted
 * @param detail why it is in that state: the queue's reason for a pending run, the node of a running
 *     one, the failure reason of a failed one
 */
public record RunStatus(String run, String variant, long seed, State state, String task, String detail) {

    /** The four states of a run. */
    public enum State {
        /** not started: waiting in SLURM's queue, or not submitted (not run) yet */
        PENDING,
        /** started, no result yet */
        RUNNING,
        /** finished with its metrics ({@code result.json} says ok, for this config) */
        DONE,
        /** ended without metrics: the run failed, or SLURM killed or cancelled it */
        FAILED;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
