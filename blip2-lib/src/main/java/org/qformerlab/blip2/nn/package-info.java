/**
 * Neural-network building blocks shared by every model: modules with reference parameter names,
 * dense, norms, embeddings, dropout, attention keys/values, cross-entropy, and the one place each
 * for devices, precision, seeds and gradient mode.
 */
package org.qformerlab.blip2.nn;
