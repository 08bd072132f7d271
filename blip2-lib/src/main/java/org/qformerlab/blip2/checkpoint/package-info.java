/**
 * Weights on disk: safetensors reading and writing, the LAVIS / Hugging Face parameter-name maps,
 * and atomic file writes.
 */
package org.qformerlab.blip2.checkpoint;
