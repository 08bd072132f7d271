/**
 * Experiments end to end: stage 1 and stage 2 of BLIP-2 run from one config, each writing a run
 * folder with its report; the orchestration on top of everything else.
 *
 * <ul>
 *   <li>{@link org.qformerlab.blip2.experiment.Stage1Experiment} runs BLIP-2 stage 1 end to end and
 *       writes a run folder with a report; {@link org.qformerlab.blip2.experiment.Stage2Experiment}
 *       does the same for stage 2; {@link org.qformerlab.blip2.experiment.Quickstart} runs both, as
 *       {@code qformerlab quickstart} does; {@link org.qformerlab.blip2.experiment.TrainedStage1}
 *       opens a finished stage-1 run again.</li>
 *   <li>{@link org.qformerlab.blip2.experiment.ImageEncoders} turns the encoder section of the config
 *       into {@link org.qformerlab.blip2.vision.ImageFeatures}, computed once per world;
 *       {@link org.qformerlab.blip2.vision.PatchPixels} is the learning-free stand-in.</li>
 * </ul>
 *
 * <p>Its rooms below it, each using only the ones before: the records
 * ({@code experiment.config}: {@link org.qformerlab.blip2.experiment.config.ExperimentConfig} nests
 * the config of every stage, fields addressed by dotted path, {@code qformer.numQueries}, for
 * ablations and notebooks), evaluation ({@code experiment.evaluation}), and the results with their
 * reports ({@code experiment.report}).
 */
package org.qformerlab.blip2.experiment;
