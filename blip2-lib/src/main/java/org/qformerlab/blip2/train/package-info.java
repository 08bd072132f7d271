/**
 * Training: AdamW, gradient clipping, the learning-rate schedule, the trainer loop shared by both
 * stages, checkpoints and resume, and the metrics log runs write.
 */
package org.qformerlab.blip2.train;
