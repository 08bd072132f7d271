package org.qformerlab.ablations;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qformerlab.blip2.report.Tables;
import tech.tablesaw.api.Table;

/**
 * Where each run of a study stands ({@code ablate SPEC --status}): pending, running, done or failed,
 * read from the run folders and, for a study submitted to SLURM, from {@code squeue}.
 *
 * @param study the study's name
 * @param folder the study folder
 * @param runs every run, in the spec's order
 */
public record StudyStatus(String study, Path folder, List<RunStatus> runs) {

    public StudyStatus {
        runs = List.copyOf(runs);
    }

    /** How many runs are in this state. */
    public long count(RunStatus.State state) {
        return runs.stream().filter(r -> r.state() == state).count();
    }

    /** The status of one run, by folder name. */
    public RunStatus of(String run) {
        return runs.stream().filter(r -> r.run().equals(run)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no run '" + run + "' in study " + study));
    }

    /** {@code 8 runs: 5 done, 1 running, 1 pending, 1 failed}. */
    public String summary() {
        return runs.size() + " runs: " + count(RunStatus.State.DONE) + " done, " + count(RunStatus.State.RUNNING)
                + " running, " + count(RunStatus.State.PENDING) + " pending, " + count(RunStatus.State.FAILED) + " failed";
    }

    /** One row per run: run, variant, seed, state, SLURM task, detail. */
    public Table table() {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (RunStatus r : runs) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("run", r.run());
            row.put("variant", r.variant());
            row.put("seed", (double) r.seed());
            row.put("state", r.state().toString());
            row.put("task", r.task() == null ? "" : r.task());
            row.put("detail", r.detail() == null ? "" : r.detail());
            rows.add(row);
        }
        return Tables.fromRows(study + " status", rows);
    }
}
