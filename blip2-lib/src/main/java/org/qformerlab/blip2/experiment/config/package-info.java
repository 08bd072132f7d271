/**
 * An experiment's configuration records: ExperimentConfig (one section per stage of the data flow)
 * and the stage-2, image-encoder and evaluation sections it nests.
 */
package org.qformerlab.blip2.experiment.config;
