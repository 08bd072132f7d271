/**
 * Experiments: the whole data flow in one readable place, configured by one record.
 *
 * <ul>
 *   <li>{@link org.qformerlab.blip2.experiment.config.ExperimentConfig} nests the config of every stage
 *       (data, encoder, qformer, objective, train, eval); fields are addressed by dotted path
 *       ({@code qformer.numQueries}) for ablations and notebooks
 *       ({@link org.qformerlab.blip2.config.ConfigPaths}).</li>
 *   <li>{@link org.qformerlab.blip2.experiment.ImageEncoders} turns the encoder section into
 *       {@link org.qformerlab.blip2.vision.ImageFeatures}, computed once per world;
 *       {@link org.qformerlab.blip2.vision.PatchPixels} is the learning-free stand-in.</li>
 *   <li>{@link org.qformerlab.blip2.experiment.Stage1Experiment} runs BLIP-2 stage 1 end to end
 *       and writes a run folder with a report; it is what {@code qformerlab quickstart} runs.</li>
 * </ul>
 */
package org.qformerlab.blip2.experiment;
