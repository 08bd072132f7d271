package org.qformerlab.ablations;

/** One run of a study with its stored result. */
public record RunRecord(RunPlan plan, RunResult result) {
}
