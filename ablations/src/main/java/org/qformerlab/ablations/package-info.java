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
 *       failures). {@link org.qformerlab.ablations.Headline} answers the question on the headline
 *       metric: every variant against the baseline, paired by seed, Holm-adjusted
 *       ({@link org.qformerlab.ablations.Holm}), with the smallest effect the seeds could detect
 *       ({@link org.qformerlab.ablations.Power}, from {@link org.qformerlab.ablations.StudentT});
 *       {@link org.qformerlab.ablations.Verdict} screens every metric. The report ({@code report.md})
 *       opens with the question, the answer, the main table and figure and the time taken; the rest
 *       follows.</li>
 *   <li>Before a study, {@link org.qformerlab.ablations.PilotPower} reads a pilot's runs and says how
 *       many seeds a target detectable effect needs ({@code ablate <spec> --plan --pilot DIR}).</li>
 * </ol>
 *
 * <p>The runner knows nothing about BLIP-2: an experiment is a plug-in found by kind, configured by a
 * JSON tree and returning a map of metrics.
 */
package org.qformerlab.ablations;
