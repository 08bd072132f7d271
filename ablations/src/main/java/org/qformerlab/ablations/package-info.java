/**
 * Ablation studies: one YAML spec in, a table, plots and a one-line answer out.
 *
 * <ol>
 *   <li>{@link org.qformerlab.ablations.StudySpec} reads the spec (question, experiment kind, base
 *       config, {@link org.qformerlab.ablations.Axis axes}, seeds, metrics, plots, quick overrides) and
 *       checks its structure.</li>
 *   <li>{@link org.qformerlab.ablations.Study} lays the base config over the
 *       {@link org.qformerlab.ablations.Experiment experiment}'s defaults, expands the
 *       {@link org.qformerlab.ablations.Variant variants} (grid x zip), applies each one's overrides by
 *       dotted path ({@link org.qformerlab.ablations.ConfigTree}) and lets the experiment validate every
 *       resulting config — all before anything runs.</li>
 *   <li>The runner executes each variant x seed in its own folder, in this JVM or in child JVMs, skips
 *       finished runs, retries failed ones and records every outcome in {@code result.json}. With
 *       {@link org.qformerlab.ablations.Executor#SLURM} the same runs go to a cluster as one job array
 *       ({@link org.qformerlab.ablations.SlurmExecutor}, one task per run, the same child JVM), and
 *       {@link org.qformerlab.ablations.StudyStatus} says where each run stands.</li>
 *   <li>{@link org.qformerlab.ablations.ResultsTable} summarises the runs (mean, std, n per variant,
 *       failures), {@link org.qformerlab.ablations.Verdict} turns the numbers into one honest sentence,
 *       and the report ({@code report.md}) gathers the question, answer, table and figures.</li>
 * </ol>
 *
 * <p>The runner knows nothing about BLIP-2: an experiment is a plug-in found by kind, configured by a
 * JSON tree and returning a map of metrics.
 */
package org.qformerlab.ablations;
