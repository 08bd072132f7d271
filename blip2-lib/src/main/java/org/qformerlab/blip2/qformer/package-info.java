/**
 * The Q-Former: embeddings, attention, the layer with its query and text streams, the encoder, the
 * LM head, attention masks, and the stage-1 model with its heads.
 */
package org.qformerlab.blip2.qformer;
