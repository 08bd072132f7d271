/**
 * Evaluating a trained run on its splits: retrieval and binding for stage 1, probes of the frozen
 * encoder, captioning and VQA for stage 2, and how much the LM reads the image and the caption.
 */
package org.qformerlab.blip2.experiment.evaluation;
